import { describe, expect, it } from 'vitest';
import { evenBlockStarts, mapPlanToLive } from '../../core/schemes/placement';
import { lookupScheme } from '../../core/schemes';
import { NO_FAULTS } from '../../shared/chaos';
import { lsGradient } from '../../shared/kernels';
import { Rng } from '../../shared/random';
import { matrix } from '../../shared/tensor';
import { expectClose, TOL } from '../helpers/expect-close';
import { withLocalCluster } from '../helpers/cluster-fixture';

/**
 * Speculative execution on real workers: worker 2 answers 2 s late, the others at once. Once the
 * round's other answers are in, the late slot passes multiplier × the quantile of their times,
 * so the dispatcher launches a backup on a worker that also holds its block; the backup answers
 * first and wins, the late original is cut off, and the gradient is exact.
 */
describe('speculative execution on a local cluster', () => {
  it('launches a backup for the late slot, the backup wins, the original is cut off; exact gradient', async () => {
    const W = 4;
    const rng = new Rng(3);
    const rows = 80;
    const d = 5;
    const A = matrix(rows, d, Float64Array.from({ length: rows * d }, () => rng.normal()));
    const b = Float64Array.from({ length: rows }, () => rng.normal());
    const x = Float64Array.from({ length: d }, () => rng.normal());
    const exact = lsGradient(A, b, x, new Float64Array(d));
    const blockStarts = evenBlockStarts(rows, W);
    const scheme = lookupScheme('speculative');

    await withLocalCluster({ workers: W }, async (lc) => {
      const cluster = await lc.master.cluster.openJob({ kind: 'test' });
      const plan = mapPlanToLive(scheme.choose({}).plan({ workers: W, blocks: W, blockRows: new Array<number>(W).fill(rows / W), rng: new Rng(1) }), cluster.liveWorkers());
      const placed = await cluster.place('speculative-backup', plan, { A, b, blockStarts });
      const late = placed.hosts.indexOf(2);
      try {
        await cluster.setChaos({ delay: { dist: 'constant', value: 2 }, fault: NO_FAULTS, seed: 1, cores: 1, workers: [2] });
        for (let r = 0; r < 3; r++) {
          const out = await cluster.round(placed, { kind: 'lsGradient', x });
          expect(out.backupsLaunched, `round ${r}`).toBeGreaterThanOrEqual(1);
          // The late slot was answered, by a backup holder, not by its own host.
          const answer = out.arrivals.find((a) => a.slot === late);
          expect(answer, `round ${r}: slot ${late} answered`).toBeDefined();
          expect(plan.speculation!.backups[late]).toContain(answer!.worker);
          expect(out.arrivals.some((a) => a.worker === 2)).toBe(false);
          // The original on worker 2 was cut off once the backup won.
          expect(out.stragglers).toContainEqual(expect.objectContaining({ slot: late, worker: 2 }));
          expect(out.decoded.exact).toBe(true);
          expectClose(out.decoded.value, exact, TOL.roundoff);
        }
      } finally {
        await cluster.release(placed);
        await cluster.close();
      }
    });
  }, 60_000);
});
