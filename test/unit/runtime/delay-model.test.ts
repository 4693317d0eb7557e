import { describe, expect, it } from 'vitest';
import { ChaosInjector } from '../../../worker/chaos-injector';
import { CorePool } from '../../../worker/core-pool';
import { NO_FAULTS } from '../../../shared/chaos';
import { slotWork } from '../../../master/cluster/placed-plan';
import { lookupScheme } from '../../../core/schemes';
import { Rng } from '../../../shared/random';

const exp = { dist: 'exponential' as const, rate: 10 };

describe('the delay model: one slowdown per worker and round × each task\'s work', () => {
  it('every task of a round shares the round\'s draw, scaled by its work; a new round draws again', () => {
    const c = new ChaosInjector();
    c.configure({ jobId: 'j', delay: exp, fault: NO_FAULTS, seed: 7, cores: 1 });
    const a = c.next('j/1', 1).delay;
    expect(c.next('j/1', 2).delay).toBe(2 * a);
    expect(c.next('j/1', 0.5).delay).toBe(0.5 * a);
    expect(c.next('j/2', 1).delay).not.toBe(a);
    // A slot of round 1 relocated here later still pays round 1's draw.
    expect(c.next('j/1', 1).delay).toBe(a);
    expect(c.sequential).toBe(true);
  });

  it('per: task reproduces the old model: an independent draw per task whatever its work, tasks side by side', () => {
    const old = new ChaosInjector();
    old.configure({ jobId: 'j', delay: { ...exp, per: 'task' }, fault: NO_FAULTS, seed: 7, cores: 1 });
    const ref = new ChaosInjector();
    ref.configure({ jobId: 'j', delay: exp, fault: NO_FAULTS, seed: 7, cores: 1 });
    // Same seed, same stream: the k-th task gets the k-th draw, unscaled.
    const draws = [1, 2, 3].map((r) => ref.next(`j/${r}`, 1).delay);
    expect([old.next('j/1', 2).delay, old.next('j/1', 2).delay, old.next('j/1', 2).delay]).toEqual(draws);
    expect(old.sequential).toBe(false);
  });

  it('a reset from a finished job does not clear the chaos another job has set since', () => {
    const c = new ChaosInjector();
    c.configure({ jobId: 'b', delay: { dist: 'constant', value: 0.1 }, fault: NO_FAULTS, seed: 1, cores: 1 });
    expect(c.reset('a')).toBe(false);
    expect(c.next('b/1', 1).delay).toBe(0.1);
    expect(c.reset('b')).toBe(true);
    expect(c.next('b/2', 1).delay).toBe(0);
  });

  it('work: replication(2) slots are twice a wait-all block, an mds coded block N/k', () => {
    const blocks = (K: number, rows: number) => Array.from({ length: K }, (_, id) => ({ id, rows, cols: 10, data: new Float64Array(0), rowOffset: 0 }));
    const plan = (name: string, params: Record<string, unknown>, N: number) => {
      const s = lookupScheme(name);
      const p = s.choose(params);
      const K = p.defaultBlocks(N);
      return { plan: p.plan({ workers: N, blocks: K, blockRows: Array(K).fill(800 / K), rng: new Rng(1) }), K };
    };
    const wa = plan('wait-all', {}, 8);
    expect(slotWork(wa.plan, blocks(wa.K, 100), 800 * 10, 8)).toEqual(Array(8).fill(1));
    const rep = plan('replication', { r: 2 }, 8);
    expect(slotWork(rep.plan, blocks(rep.K, 200), 800 * 10, 8)).toEqual(Array(8).fill(2));
    const mds = plan('mds', { n: 8, k: 6 }, 8);
    expect(slotWork(mds.plan, blocks(mds.plan.stored.length, 800 / 6), 800 * 10, 8).every((w) => Math.abs(w - 8 / 6) < 1e-12)).toBe(true);
  });
});

describe('CorePool: a one-core worker runs its tasks one after another', () => {
  it('grants in arrival order, one at a time; an aborted waiter leaves the line', async () => {
    const pool = new CorePool();
    const order: number[] = [];
    const a = new AbortController();
    expect(await pool.acquire(a.signal)).toBe(true);
    const second = pool.acquire(new AbortController().signal).then((ok) => ok && order.push(2));
    const cancelled = new AbortController();
    const third = pool.acquire(cancelled.signal);
    const fourth = pool.acquire(new AbortController().signal).then((ok) => ok && order.push(4));
    expect(pool.load).toBe(4);
    cancelled.abort();
    expect(await third).toBe(false);
    pool.release();
    await second;
    pool.release();
    await fourth;
    expect(order).toEqual([2, 4]);
    pool.release();
    expect(pool.load).toBe(0);
  });

  it('a worker with chaos.cores = 2 runs two of its tasks at once', async () => {
    const pool = new CorePool();
    pool.size = 2;
    const s = new AbortController().signal;
    expect(await pool.acquire(s)).toBe(true);
    expect(await pool.acquire(s)).toBe(true);
    let third = false;
    const waiting = pool.acquire(s).then((ok) => (third = ok));
    await Promise.resolve();
    expect(third).toBe(false);
    pool.release();
    await waiting;
    expect(third).toBe(true);
  });
});
