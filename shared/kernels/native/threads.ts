import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * CPUs this process may use: the cgroup's CPU quota when one is set (a container or a pod with a
 * CPU limit: cgroup v2 cpu.max, or v1 cfs_quota/cfs_period), rounded up, and never more than the
 * CPUs the scheduler lets it run on. `root` is /sys/fs/cgroup (a parameter for the tests).
 */
export function availableCpus(root = '/sys/fs/cgroup'): number {
  const cpus = availableParallelism();
  const quota = cgroupQuota(root);
  return quota === undefined ? cpus : Math.max(1, Math.min(cpus, Math.ceil(quota)));
}

/** The CPU quota in CPUs, or undefined when unlimited or unknown. */
export function cgroupQuota(root: string): number | undefined {
  const read = (p: string): string | undefined => {
    try {
      return readFileSync(`${root}/${p}`, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const v2 = read('cpu.max'); // "max 100000" or "200000 100000"
  if (v2 !== undefined) {
    const [q, p] = v2.split(/\s+/);
    return q === 'max' ? undefined : ratio(Number(q), Number(p));
  }
  for (const dir of ['cpu', 'cpu,cpuacct']) {
    const q = read(`${dir}/cpu.cfs_quota_us`);
    const p = read(`${dir}/cpu.cfs_period_us`);
    if (q !== undefined && p !== undefined) return Number(q) < 0 ? undefined : ratio(Number(q), Number(p));
  }
  return undefined;
}

function ratio(q: number, p: number): number | undefined {
  return q > 0 && p > 0 && Number.isFinite(q / p) ? q / p : undefined;
}
