import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { PermissionError } from '../../shared/errors';
import { splitHostPort } from '../../shared/wire';

/**
 * Who may register as worker i. With `--worker-statefulset NAME` the master admits only pods of
 * that StatefulSet, each under its own ordinal: a worker asking for index i must advertise the
 * stable DNS name of pod NAME-i through the StatefulSet's headless Service (NAME-i.<service>,
 * optionally .<namespace>[.svc[.<cluster domain>]], as the manifests do) and must connect from
 * an address that name resolves to. Cluster DNS vouches for the pod, so a pod that
 * merely holds the token cannot pose as worker 0.
 */
export class WorkerIdentityError extends PermissionError {}

/**
 * The IP of a grpc-js peer string: "ip:port" with IPv6 unbracketed ("fd00::8:40000"), or
 * "[v6]:port". Always split at the last colon: the port is always there.
 */
function peerIp(peer: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(peer);
  if (bracketed) return bracketed[1]!;
  const i = peer.lastIndexOf(':');
  return i < 0 ? peer : peer.slice(0, i);
}

/** An IPv4 address seen through an IPv6 socket (::ffff:10.0.0.5) compared as plain IPv4. */
function canonicalIp(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return (m ? m[1]! : ip).toLowerCase();
}

/**
 * Where the StatefulSet's pods live: the headless Service that names them (the StatefulSet's
 * serviceName), and, when known, the namespace and the cluster's DNS domain, so the full forms
 * of a pod's name are accepted too.
 */
export interface StatefulSetIdentity {
  statefulSet: string;
  /** The headless Service of the StatefulSet (its spec.serviceName); default: the StatefulSet's name. */
  service?: string;
  /** The pods' namespace (the master's own, from the downward API); unknown: only the short name is accepted. */
  namespace?: string;
  /** The cluster's DNS domain; default cluster.local. */
  clusterDomain?: string;
}

/**
 * The names pod `<statefulSet>-<index>` has through its headless Service, lower-case and without
 * a trailing dot: `<pod>.<service>`, and with the namespace known `<pod>.<service>.<namespace>`,
 * `….svc` and `….svc.<cluster domain>`. Nothing else: a name under any other domain could be
 * made to resolve to any address by whoever owns that domain.
 */
export function statefulSetPodNames(id: StatefulSetIdentity, index: number): string[] {
  const short = `${id.statefulSet}-${index}.${id.service ?? id.statefulSet}`.toLowerCase();
  if (!id.namespace) return [short];
  const ns = `${short}.${id.namespace.toLowerCase()}`;
  return [short, ns, `${ns}.svc`, `${ns}.svc.${(id.clusterDomain ?? 'cluster.local').toLowerCase().replace(/\.$/, '')}`];
}

/**
 * The pure half: the name a worker advertises must be one of its own pod's names
 * (statefulSetPodNames), for the index it asks for; not an IP address, not another domain.
 */
export function checkStatefulSetName(identity: StatefulSetIdentity | string, advertised: string, requestedIndex: number): void {
  const id = typeof identity === 'string' ? { statefulSet: identity } : identity;
  const { host } = splitHostPort(advertised);
  if (requestedIndex < 0) {
    throw new WorkerIdentityError(`workers of StatefulSet ${id.statefulSet} must ask for their ordinal as index (--index=ordinal); ${advertised} asked for none`);
  }
  const names = statefulSetPodNames(id, requestedIndex);
  // DNS names compare case-insensitively; a trailing dot (an absolute name) is the same name.
  const name = host.toLowerCase().replace(/\.$/, '');
  if (isIP(host) !== 0 || !names.includes(name)) {
    throw new WorkerIdentityError(
      `a worker asking for index ${requestedIndex} must advertise the DNS name of pod ${id.statefulSet}-${requestedIndex} (${names.join(' or ')}, with a port), not ${advertised}`,
    );
  }
}

export type Lookup = (host: string) => Promise<string[]>;

const systemLookup: Lookup = async (host) => (await dnsLookup(host, { all: true })).map((a) => a.address);

/**
 * The I/O half: the registering connection's peer (grpc-js getPeer(): "ip:port" or "[v6]:port")
 * must be one of the addresses the advertised host resolves to. A name that does not resolve
 * (yet: a new pod's DNS record can lag a moment) is refused too; the worker retries.
 */
export async function checkPeerIsAdvertised(peer: string, advertised: string, lookup: Lookup = systemLookup): Promise<void> {
  const ip = canonicalIp(peerIp(peer));
  const { host } = splitHostPort(advertised);
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await lookup(host);
  } catch (e) {
    throw new WorkerIdentityError(`cannot resolve the advertised name ${host}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (!addresses.map(canonicalIp).includes(ip)) {
    throw new WorkerIdentityError(`a worker at ${ip} advertised ${advertised}, which resolves to ${addresses.join(', ') || 'nothing'}`);
  }
}

/** Both halves, as the master's Register handler applies them when a StatefulSet is named. */
export async function verifyStatefulSetWorker(
  identity: StatefulSetIdentity | string,
  request: { address: string; requestedIndex: number },
  peer: string,
  lookup: Lookup = systemLookup,
): Promise<void> {
  checkStatefulSetName(identity, request.address, request.requestedIndex);
  await checkPeerIsAdvertised(peer, request.address, lookup);
}
