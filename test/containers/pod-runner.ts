import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { K8sObject } from '../deploy/kustomize';

/**
 * Runs a rendered Kubernetes pod spec's container as `docker run` would stand in for the
 * kubelet: the same args (with Kubernetes' $(VAR) expansion), environment (the downward API's
 * pod name, namespace, labels and CPU request), user, group, read-only root, dropped
 * capabilities, and volumes (ConfigMap and Secret files with their modes and fsGroup ownership,
 * emptyDir as tmpfs, a claim as a host folder or a named Docker volume). What the manifests rely
 * on that this does not model (a field it does not know) is an error.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */

export interface PodContext {
  /** Every rendered object (ConfigMaps and Secrets are looked up by name). */
  objects: K8sObject[];
  network: string;
  /** docker label key=value on every container, for cleanup. */
  label: string;
  /** The image to run in place of the rendered one (a test build of the same Dockerfile). */
  image: string;
  /**
   * Per PersistentVolumeClaim name: a host folder, or `volume:NAME` for a named Docker volume
   * (made ready for the pod's fsGroup with prepareClaimVolume).
   */
  claims: Record<string, string>;
  /** Where ConfigMap and Secret volumes are written. */
  workDir: string;
}

const run = promisify(execFile);

export async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { maxBuffer: 16 << 20, timeout: 240_000 });
  return stdout.trim();
}

/** Kubernetes' expansion in command and args: $(VAR) from the container's env, $$ for a literal $. */
export function expandK8sVars(s: string, env: Record<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string | undefined) => (m === '$$' ? '$' : name !== undefined && name in env ? env[name]! : m));
}

/** A CPU quantity ("100m", "2", "1.5") in cores. */
function cores(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q);
}

function containerEnv(c: any, pod: { podName: string; namespace: string; labels?: Record<string, string> }): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    const field = e.valueFrom?.fieldRef?.fieldPath as string | undefined;
    const label = field && /^metadata\.labels\['([^']+)'\]$/.exec(field)?.[1];
    const resource = e.valueFrom?.resourceFieldRef;
    if (e.value !== undefined) env[e.name] = expandK8sVars(String(e.value), env);
    else if (field === 'metadata.name') env[e.name] = pod.podName;
    else if (field === 'metadata.namespace') env[e.name] = pod.namespace;
    else if (label) env[e.name] = pod.labels?.[label] ?? '';
    else if (resource?.resource === 'requests.cpu' && (resource.containerName === undefined || resource.containerName === c.name)) {
      // The kubelet divides by the divisor and rounds up: 100m with divisor 1 is "1".
      env[e.name] = String(Math.ceil(cores(String(c.resources?.requests?.cpu ?? '0')) / cores(String(resource.divisor ?? '1'))));
    } else throw new Error(`env ${e.name}: ${JSON.stringify(e.valueFrom)} is not modelled here`);
  }
  if (c.envFrom?.length) throw new Error('envFrom is not modelled here');
  return env;
}

function writeVolumeFiles(dir: string, files: Record<string, Buffer>, mode: number, group: number | undefined): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  for (const [key, content] of Object.entries(files)) {
    const f = join(dir, key);
    writeFileSync(f, content);
    // As the kubelet does: the file mode is the volume's defaultMode, the group the pod's fsGroup.
    chownSync(f, 0, group ?? 0);
    chmodSync(f, mode);
  }
}

/** `docker run -d` arguments for the first container of a pod spec. */
export function dockerRunArgs(
  pod: {
    /** The pod's name (metadata.name: the downward API's POD_NAME). */
    podName: string;
    /** The docker container's name (unique per test run). */
    container: string;
    hostname: string;
    namespace: string;
    /** The pod's labels (the downward API reads them); the Job controller's job-name among them. */
    labels?: Record<string, string>;
    spec: any;
    aliases: string[];
  },
  ctx: PodContext,
): string[] {
  const { spec } = pod;
  if (spec.containers.length !== 1 || spec.initContainers?.length) throw new Error(`${pod.podName}: one container per pod is modelled here`);
  const c = spec.containers[0];
  const psc = spec.securityContext ?? {};
  const sc = c.securityContext ?? {};
  const env = containerEnv(c, pod);
  const args = ['run', '-d', '--name', pod.container, '--label', ctx.label, '--network', ctx.network, '--hostname', pod.hostname];
  for (const a of pod.aliases) args.push('--network-alias', a);
  const uid = sc.runAsUser ?? psc.runAsUser;
  const gid = sc.runAsGroup ?? psc.runAsGroup;
  if (uid !== undefined) args.push('--user', gid !== undefined ? `${uid}:${gid}` : String(uid));
  if (psc.fsGroup !== undefined) args.push('--group-add', String(psc.fsGroup));
  if (sc.readOnlyRootFilesystem) args.push('--read-only');
  for (const cap of sc.capabilities?.drop ?? []) args.push('--cap-drop', cap);
  if (sc.allowPrivilegeEscalation === false) args.push('--security-opt', 'no-new-privileges');
  for (const m of c.volumeMounts ?? []) {
    const v = (spec.volumes ?? []).find((x: any) => x.name === m.name);
    if (!v) throw new Error(`${pod.podName}: mount ${m.name} has no volume`);
    const host = join(ctx.workDir, pod.container, v.name);
    const ro = m.readOnly ? ':ro' : '';
    if (v.configMap || v.secret) {
      const ref = v.configMap ? { kind: 'ConfigMap', name: v.configMap.name, mode: v.configMap.defaultMode } : { kind: 'Secret', name: v.secret.secretName, mode: v.secret.defaultMode };
      const o = ctx.objects.find((x) => x.kind === ref.kind && x.metadata.name === ref.name) as any;
      if (!o) throw new Error(`${pod.podName}: ${ref.kind} ${ref.name} is not in the rendering`);
      const files = Object.fromEntries(
        Object.entries(o.data as Record<string, string>).map(([k, val]) => [k, ref.kind === 'Secret' ? Buffer.from(val, 'base64') : Buffer.from(val)]),
      );
      writeVolumeFiles(host, files, ref.mode ?? 0o644, psc.fsGroup);
      args.push('-v', `${host}:${m.mountPath}${ro}`);
    } else if (v.emptyDir) {
      args.push('--tmpfs', `${m.mountPath}:rw,mode=1777`);
    } else if (v.persistentVolumeClaim) {
      const claim = ctx.claims[v.persistentVolumeClaim.claimName];
      if (!claim) throw new Error(`${pod.podName}: no host folder or volume for claim ${v.persistentVolumeClaim.claimName}`);
      const source = claim.startsWith('volume:') ? claim.slice('volume:'.length) : claim;
      args.push('-v', `${source}:${m.mountPath}${ro || (v.persistentVolumeClaim.readOnly ? ':ro' : '')}`);
    } else {
      throw new Error(`${pod.podName}: volume ${v.name} (${Object.keys(v).join(', ')}) is not modelled here`);
    }
  }
  for (const [k, v] of Object.entries(env)) args.push('-e', `${k}=${v}`);
  if (c.command) args.push('--entrypoint', expandK8sVars(c.command[0], env));
  args.push(ctx.image);
  if (c.command) args.push(...c.command.slice(1).map((s: string) => expandK8sVars(s, env)));
  args.push(...(c.args ?? []).map((s: string) => expandK8sVars(s, env)));
  return args;
}

/**
 * A named Docker volume standing in for a freshly provisioned PersistentVolume, owned as the
 * kubelet leaves one for a pod with an fsGroup: root, group fsGroup, group-writable, setgid.
 */
export async function prepareClaimVolume(name: string, image: string, label: string, fsGroup: number): Promise<void> {
  await docker('volume', 'create', '--label', label, name);
  await docker('run', '--rm', '--label', label, '--user', '0:0', '-v', `${name}:/claim`, '--entrypoint', 'sh', image, '-c', `chown 0:${fsGroup} /claim && chmod 2775 /claim`);
}

/** Where a named volume's files are on this host (the engine's own folder; readable as root). */
export async function volumeHostPath(name: string): Promise<string> {
  return docker('volume', 'inspect', '-f', '{{.Mountpoint}}', name);
}
