import { describe, expect, it } from 'vitest';
import type { JobSession } from '../../master/cluster/job-session';
import { evenBlockStarts, mapPlanToLive } from '../../core/schemes/placement';
import type { RoundOutcome } from '../../algorithms/compute-cluster';
import { lookupScheme } from '../../core/schemes';
import type { DelaySpec } from '../../shared/chaos';
import { Rng } from '../../shared/random';
import { matrix } from '../../shared/tensor';
import { withLocalCluster } from '../helpers/cluster-fixture';

const NO_FAULTS = { dropProbability: 0, hangProbability: 0, crashAfterTasks: 0 };
const A = matrix(400, 4, Float64Array.from({ length: 1600 }, (_, i) => Math.sin(i)));
const b = new Float64Array(400).fill(1);
const x = new Float64Array(4).fill(0.5);

/** One round of `scheme` with K blocks on the session's 4 workers under `delay`. */
async function oneRound(session: JobSession, name: string, params: Record<string, unknown>, K: number, delay: DelaySpec, cores = 1): Promise<RoundOutcome> {
  await session.setChaos({ delay, fault: NO_FAULTS, seed: 3, cores });
  const s = lookupScheme(name);
  const p = s.choose(params);
  const starts = evenBlockStarts(A.rows, K);
  const plan = mapPlanToLive(p.plan({ workers: 4, blocks: K, blockRows: starts.slice(1).map((e, j) => e - starts[j]!), rng: new Rng(1) }), session.liveWorkers());
  const placed = await session.place(`${name}-${K}-${delay.per ?? 'wr'}-${cores}`, plan, { A, b, blockStarts: starts });
  try {
    return await session.round(placed, { kind: 'lsGradient', x });
  } finally {
    await session.release(placed);
  }
}

describe('injected delays in proportion to the work (the papers model of a worker)', () => {
  it('replication(2) pays twice the delay of wait-all; a worker runs its slots of a round one after another; per: task keeps the old model', async () => {
    await withLocalCluster({ workers: 4 }, async (lc) => {
      const session = await lc.master.cluster.openJob({ kind: 'test' });
      try {
        const c = { dist: 'constant', value: 0.2 } as const;
        const waitAll = await oneRound(session, 'wait-all', {}, 4, c);
        expect(waitAll.arrivals.map((a) => a.injectedDelaySeconds)).toEqual([0.2, 0.2, 0.2, 0.2]);

        // Each replicated slot holds a block twice wait-all's (K = N/2): work 2, twice the delay.
        const rep = await oneRound(session, 'replication', { r: 2 }, 2, c);
        expect(rep.arrivals.length).toBeGreaterThanOrEqual(2);
        expect(rep.arrivals.every((a) => Math.abs(a.injectedDelaySeconds - 0.4) < 1e-12)).toBe(true);

        // Eight half-size blocks on four workers: two slots a worker, work 1/2 each, one after the
        // other: the second waits for the first's core (delay 0.1 s) and answers after both.
        const seq = await oneRound(session, 'wait-all', {}, 8, c);
        for (const w of session.liveWorkers()) {
          const mine = seq.arrivals.filter((a) => a.worker === w).sort((p, q) => p.seconds - q.seconds);
          expect(mine.map((a) => a.injectedDelaySeconds)).toEqual([0.1, 0.1]);
          // (a timer may fire a fraction of a millisecond early by performance.now)
          expect(mine[1]!.queueSeconds).toBeGreaterThanOrEqual(0.095);
          expect(mine[1]!.seconds).toBeGreaterThanOrEqual(0.19);
        }

        // per: task: a draw per task whatever its size, and no queue behind the other slot.
        const old = await oneRound(session, 'wait-all', {}, 8, { ...c, per: 'task' });
        expect(old.arrivals.map((a) => a.injectedDelaySeconds)).toEqual(Array(8).fill(0.2));
        expect(Math.max(...old.arrivals.map((a) => a.queueSeconds))).toBeLessThan(0.05);
        const oldRep = await oneRound(session, 'replication', { r: 2 }, 2, { ...c, per: 'task' });
        expect(oldRep.arrivals.length).toBeGreaterThanOrEqual(2);
        expect(oldRep.arrivals.every((a) => a.injectedDelaySeconds === 0.2)).toBe(true);
      } finally {
        await session.close();
      }
    });
  });
});
