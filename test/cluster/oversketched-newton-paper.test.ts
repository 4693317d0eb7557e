import { beforeAll, describe, expect, it } from 'vitest';
import { inlineLa } from '../helpers/linalg';
import { referenceNewton } from '../../algorithms/logistic';
import { syntheticLogistic } from '../../master/data/logistic-synthetic';
import { jobOf, runJob } from '../../master';
import { norm2 } from '../../shared/kernels';
import { withLocalCluster } from '../helpers/cluster-fixture';
import { jobContext } from '../helpers/job-context';

/**
 * The paper's setting end to end on real worker processes: OverSketched Newton with the gradient's
 * products under the product code (2×2 data blocks on 3×3 cells), unit steps (Algorithm 1),
 * lambda-tail delays counted in operations; exact Newton with the paper's speculative rule; both
 * to the direct reference, with f − f* in their histories.
 */
const synthetic = { rows: 3000, cols: 16, seed: 4, signal: 3, correlation: 0.5 };
const lambda = 1e-3;
const data = syntheticLogistic({ ...synthetic });
let ref: Awaited<ReturnType<typeof referenceNewton>>;
beforeAll(async () => {
  ref = await referenceNewton(inlineLa, data.X, data.y, lambda, 1e-13);
});

describe('OverSketched Newton as the paper runs it (product-code gradient, unit step) on a local cluster', () => {
  it('reaches the reference optimum; so does exact Newton under the paper’s speculative rule', async () => {
    await withLocalCluster({ workers: 9 }, async (lc) => {
      const ctx = jobContext(lc);
      for (const [solver, extra] of [
        ['oversketched-newton', { sketch: { factor: 10, blocks: 3, extra: 2, rowBlocks: 1 } }],
        ['newton', {}],
      ] as const) {
        const out = await runJob(
          jobOf('logistic-regression', {
            data: { synthetic },
            solver,
            lambda,
            workers: 9,
            newton: { step: 'unit' },
            chaos: { delay: { dist: 'lambda-tail', base: 0.002 }, seed: 3 },
            stop: { gradNorm: 0, suboptimality: 1e-11, maxRounds: 60, timeLimit: 60 },
            seed: 2,
            ...extra,
          }),
          ctx,
        );
        const r = out.result;
        expect(r.stoppedBy, solver).toBe('objective');
        expect(r.schemes.gradient).toMatchObject({ name: 'product-code', X: { grid: [2, 2], cells: 9 } });
        if (solver === 'newton') expect(r.schemes.hessian).toMatchObject({ name: 'speculative', rule: 'paper', quantile: 0.9, multiplier: 1 });
        const w = out.tensors['w.npy']!.values;
        expect(norm2(Float64Array.from(w, (v, i) => v - ref.w[i]!)) / norm2(ref.w), solver).toBeLessThan(1e-4);
        expect(r.fStar).toBeCloseTo(ref.f, 12);
        const sub = r.history.map((h) => h.suboptimality!);
        expect(sub[sub.length - 1]!).toBeLessThanOrEqual(1e-11);
        expect(r.secondsToSuboptimality).toBeCloseTo(r.history[r.history.length - 1]!.seconds, 9);
        // Algorithm 1's unit step, every iteration.
        expect(r.history.slice(0, -1).every((h) => h.step === 1)).toBe(true);
      }
    });
  });
});
