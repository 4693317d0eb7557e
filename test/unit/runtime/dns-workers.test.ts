import { describe, expect, it } from 'vitest';
import { countWorkers, settledWorkerCount, systemResolveAll, type Clock, type ResolveAll } from '../../../cli/dns-workers';
import { ClusterError } from '../../../shared/errors';

/**
 * The worker count taken from a DNS name (compose's service, a StatefulSet's headless Service):
 * a scripted resolver and a fake clock, so "holds still for 3 s" is a sequence of lookups.
 */
function scripted(counts: number[], family: 4 | 6 = 4): ResolveAll {
  let i = 0;
  return async () => {
    const n = counts[Math.min(i++, counts.length - 1)]!;
    return Array.from({ length: n }, (_, k) => (family === 4 ? `10.0.0.${k + 1}` : `fd00::${k + 1}`));
  };
}

function fakeClock(): Clock & { t: number } {
  const c = { t: 0, now: () => c.t, sleep: async (ms: number) => void (c.t += ms) };
  return c;
}

describe('settledWorkerCount', () => {
  const o = { min: 1, settleMs: 3000, timeoutMs: 60_000, pollMs: 500 };

  it('takes the count once it has held still for the settle time, not the first one seen', async () => {
    // Replicas appearing one by one (a scale-out from 4 to 8), then steady.
    const clock = fakeClock();
    const n = await settledWorkerCount('worker', o, scripted([4, 5, 5, 6, 8, 8, 8, 8, 8, 8, 8, 8, 8]), clock);
    expect(n).toBe(8);
    // 8 first seen at t = 2000 (the fifth lookup), taken at 2000 + 3000.
    expect(clock.t).toBe(5000);
  });

  it('waits for at least min addresses, and (asked by the master) for every one to have registered', async () => {
    const clock = fakeClock();
    let registered = 0;
    const resolver: ResolveAll = async (name) => {
      registered = Math.min(5, Math.floor(clock.t / 1000)); // one registration a second
      return scripted([5])(name);
    };
    const said: string[] = [];
    const n = await settledWorkerCount('worker', { ...o, min: 2, registered: () => registered, onWait: (m) => said.push(m) }, resolver, clock);
    expect(n).toBe(5);
    expect(clock.t).toBe(5000);
    expect(said).toEqual(['waiting for the workers behind worker: 5 address(es), 3 registered, at least 2 needed']);
  });

  it('fails with a ClusterError naming the name and the counts when too few appear in time', async () => {
    const clock = fakeClock();
    const p = settledWorkerCount('coda-worker', { ...o, min: 4, timeoutMs: 10_000 }, scripted([0, 1, 2]), clock);
    await expect(p).rejects.toThrow(ClusterError);
    await expect(settledWorkerCount('coda-worker', { ...o, min: 4, timeoutMs: 10_000 }, scripted([2]), fakeClock())).rejects.toThrow(
      /coda-worker resolves to 2 worker address\(es\) after 10 s, fewer than the 4 needed/,
    );
    await expect(settledWorkerCount('worker', { ...o, timeoutMs: 10_000, registered: () => 1 }, scripted([3]), fakeClock())).rejects.toThrow(/resolves to 3 workers, but only 1 registered/);
  });

  it('counts a dual-stack pod once (its IPv4 and IPv6 address), and each address once', () => {
    expect(countWorkers(['10.0.0.1', 'fd00::1', '10.0.0.2', 'fd00::2'])).toBe(2);
    expect(countWorkers(['10.0.0.1', '10.0.0.1', '10.0.0.2'])).toBe(2);
    expect(countWorkers(['FD00::1', 'fd00::1'])).toBe(1);
    expect(countWorkers([])).toBe(0);
  });

  it('a name that does not resolve counts no workers (not an error: the pods may not exist yet)', async () => {
    expect(await systemResolveAll('coda-worker.invalid')).toEqual([]);
  });
});
