/**
 * What an operator checks in rendered manifests before a first `kubectl apply`, as pure
 * functions over the objects: which pods a set of NetworkPolicies lets talk to which port, and
 * what the Pod Security "restricted" profile would refuse. Only the parts of each API the
 * manifests use are implemented; anything else is an error, not a silent pass.
 */

type Labels = Record<string, string>;
type Selector = { matchLabels?: Labels; matchExpressions?: unknown[] };

export interface PodRef {
  namespace: string;
  namespaceLabels: Labels;
  labels: Labels;
  /** The destination's container ports, to resolve a policy's named ports. */
  ports?: { name?: string; containerPort: number }[];
}

type Peer = { podSelector?: Selector; namespaceSelector?: Selector; ipBlock?: unknown };
type PortRule = { port?: number | string; protocol?: string; endPort?: number };

interface NetworkPolicySpec {
  podSelector: Selector;
  policyTypes?: string[];
  ingress?: { from?: Peer[]; ports?: PortRule[] }[];
  egress?: { to?: Peer[]; ports?: PortRule[] }[];
}

export interface NetworkPolicyObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: NetworkPolicySpec;
}

function matches(sel: Selector | undefined, labels: Labels): boolean {
  if (!sel) return true;
  if (sel.matchExpressions?.length) throw new Error('matchExpressions are not evaluated here');
  return Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

/** The policy types a policy declares, or the API server's default for it. */
function types(p: NetworkPolicyObject): string[] {
  return p.spec.policyTypes ?? (p.spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
}

/** Does one of a rule's peers (none: every peer) match this pod, for a policy in `policyNs`? */
function peerMatches(peers: Peer[] | undefined, pod: PodRef, policy: NetworkPolicyObject): boolean {
  if (!peers?.length) return true;
  return peers.some((peer) => {
    if (peer.ipBlock) throw new Error(`${policy.metadata.name}: ipBlock is not evaluated here`);
    const nsOk = peer.namespaceSelector ? matches(peer.namespaceSelector, pod.namespaceLabels) : pod.namespace === policy.metadata.namespace;
    return nsOk && (!peer.podSelector || matches(peer.podSelector, pod.labels));
  });
}

/** Does one of a rule's ports (none: every port) admit `port`/`protocol` on `dest` (named ports resolve against its containers)? */
function portMatches(ports: PortRule[] | undefined, dest: PodRef, port: number, protocol: string): boolean {
  if (!ports?.length) return true;
  const portName = dest.ports?.find((p) => p.containerPort === port)?.name;
  return ports.some((rp) => {
    if (rp.endPort !== undefined) throw new Error('endPort is not evaluated here');
    return (rp.protocol ?? 'TCP') === protocol && (rp.port === undefined || rp.port === port || (portName !== undefined && rp.port === portName));
  });
}

/** Does any rule of the policies that isolate `to` for ingress admit `from` on `port`? */
export function ingressAllowed(policies: NetworkPolicyObject[], from: PodRef, to: PodRef, port: number, protocol = 'TCP'): boolean {
  const isolating = policies.filter((p) => p.metadata.namespace === to.namespace && types(p).includes('Ingress') && matches(p.spec.podSelector, to.labels));
  if (isolating.length === 0) return true;
  return isolating.some((p) => (p.spec.ingress ?? []).some((rule) => peerMatches(rule.from, from, p) && portMatches(rule.ports, to, port, protocol)));
}

/** Does any rule of the policies that isolate `from` for egress let it reach `to` on `port`? */
export function egressAllowed(policies: NetworkPolicyObject[], from: PodRef, to: PodRef, port: number, protocol = 'TCP'): boolean {
  const isolating = policies.filter((p) => p.metadata.namespace === from.namespace && types(p).includes('Egress') && matches(p.spec.podSelector, from.labels));
  if (isolating.length === 0) return true;
  return isolating.some((p) => (p.spec.egress ?? []).some((rule) => peerMatches(rule.to, to, p) && portMatches(rule.ports, to, port, protocol)));
}

/** A connection happens when the source may send it (egress) and the destination may take it (ingress). */
export function connectionAllowed(policies: NetworkPolicyObject[], from: PodRef, to: PodRef, port: number, protocol = 'TCP'): boolean {
  return egressAllowed(policies, from, to, port, protocol) && ingressAllowed(policies, from, to, port, protocol);
}

/* eslint-disable @typescript-eslint/no-explicit-any */
const RESTRICTED_VOLUMES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

/** What Pod Security admission at level "restricted" would refuse in this pod spec. */
export function restrictedViolations(spec: any): string[] {
  const out: string[] = [];
  const psc = spec.securityContext ?? {};
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) out.push('host namespaces');
  for (const v of spec.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (!type || !RESTRICTED_VOLUMES.has(type)) out.push(`volume ${v.name}: type ${type}`);
  }
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const sc = c.securityContext ?? {};
    const where = `container ${c.name}`;
    if (sc.privileged) out.push(`${where}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${where}: allowPrivilegeEscalation is not false`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) out.push(`${where}: capabilities do not drop ALL`);
    for (const cap of sc.capabilities?.add ?? []) if (cap !== 'NET_BIND_SERVICE') out.push(`${where}: adds ${cap}`);
    if ((sc.runAsNonRoot ?? psc.runAsNonRoot) !== true) out.push(`${where}: runAsNonRoot is not true`);
    if ((sc.runAsUser ?? psc.runAsUser) === 0) out.push(`${where}: runs as uid 0`);
    const seccomp = (sc.seccompProfile ?? psc.seccompProfile)?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push(`${where}: seccompProfile ${seccomp}`);
    for (const p of c.ports ?? []) if (p.hostPort) out.push(`${where}: hostPort ${p.hostPort}`);
  }
  return out;
}
