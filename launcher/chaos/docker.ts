import { execFile } from 'node:child_process';
import { ClusterError, InputError } from '../../shared/errors';

/**
 * The docker CLI and nsenter, as the chaos commands use them. Only the project's own containers
 * are touched: they are found by label (a compose project, or coda.cluster=NAME as the container
 * tests set), never by a broad name match.
 */

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a program (no shell); rejects with a ClusterError that quotes stderr. */
export function run(cmd: string, args: string[], timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const hint = code === 'ENOENT' ? ` (${cmd} not installed${cmd === 'docker' ? ': apt-get install -y docker.io' : ''})` : '';
        reject(new ClusterError(`${cmd} ${args.join(' ')} failed${hint}: ${String(stderr).trim() || err.message}`));
      } else {
        resolve({ stdout: String(stdout), stderr: String(stderr) });
      }
    });
  });
}

export const docker = (args: string[], timeoutMs?: number): Promise<RunResult> => run('docker', args, timeoutMs);

export type Role = 'master' | 'worker';

export interface ClusterContainer {
  id: string;
  name: string;
  role: Role;
  running: boolean;
  paused: boolean;
  pid: number;
  /** First IPv4 on the container's networks ('' when stopped). */
  ip: string;
  /**
   * Every IPv4 of the container. A testcontainers container sits on the default bridge as well as
   * its own network, and `docker inspect` lists them by network name, a random one: which comes
   * first is chance, so a partition must cut them all.
   */
  ips: string[];
  /** The coda worker index from the worker's last "worker N listening on" line, or -1. */
  index: number;
}

interface Inspect {
  Id: string;
  Name: string;
  State: { Running: boolean; Paused: boolean; Pid: number };
  Config: { Labels: Record<string, string> | null };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> };
}

/** Containers of a cluster: labelled coda.cluster=NAME, else the compose project NAME. */
export async function listCluster(cluster: string): Promise<ClusterContainer[]> {
  let ids: string[] = [];
  for (const label of [`coda.cluster=${cluster}`, `com.docker.compose.project=${cluster}`]) {
    const { stdout } = await docker(['ps', '-a', '-q', '--no-trunc', '--filter', `label=${label}`]);
    ids = stdout.split('\n').filter(Boolean);
    if (ids.length) break;
  }
  if (!ids.length) throw new InputError(`no containers of cluster '${cluster}' (label coda.cluster or compose project); is it up?`);
  const { stdout } = await docker(['inspect', ...ids]);
  const all = (JSON.parse(stdout) as Inspect[]).map((c) => {
    const labels = c.Config.Labels ?? {};
    const role = labels['coda.role'] ?? labels['com.docker.compose.service'] ?? '';
    const ips = Object.values(c.NetworkSettings.Networks ?? {}).map((n) => n.IPAddress).filter(Boolean);
    return { id: c.Id, name: c.Name.replace(/^\//, ''), role: role as Role, running: c.State.Running, paused: c.State.Paused, pid: c.State.Pid, ip: ips[0] ?? '', ips, index: -1 };
  });
  const members = all.filter((c) => c.role === 'master' || c.role === 'worker');
  await Promise.all(members.filter((c) => c.role === 'worker').map(async (c) => (c.index = await workerIndexFromLogs(c.id))));
  return members.sort((a, b) => (a.role === b.role ? a.index - b.index || a.name.localeCompare(b.name) : a.role === 'master' ? -1 : 1));
}

/** The index the master gave a worker, from its own log line ("worker 3 listening on ..."). */
export async function workerIndexFromLogs(id: string): Promise<number> {
  const { stdout, stderr } = await docker(['logs', id]);
  const matches = [...`${stdout}\n${stderr}`.matchAll(/worker (\d+) listening on/g)];
  return matches.length ? Number(matches[matches.length - 1]![1]) : -1;
}

/** A target is a worker index ("3"), a role ("master"), or a container name or id of the cluster. */
export function pickTarget(members: ClusterContainer[], target: string, cluster: string): ClusterContainer {
  let found: ClusterContainer | undefined;
  if (/^\d+$/.test(target)) {
    found = members.find((c) => c.role === 'worker' && c.index === Number(target));
    if (!found) {
      const known = members.filter((c) => c.role === 'worker').map((c) => (c.index >= 0 ? c.index : `? (${c.name})`));
      throw new InputError(`cluster '${cluster}' has no worker with index ${target} (workers: ${known.join(', ') || 'none'})`);
    }
  } else if (target === 'master') {
    found = members.find((c) => c.role === 'master');
  } else {
    found = members.find((c) => c.name === target || c.id.startsWith(target));
  }
  if (!found) throw new InputError(`cluster '${cluster}' has no container '${target}'`);
  return found;
}
