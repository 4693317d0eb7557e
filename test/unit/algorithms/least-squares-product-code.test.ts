import { describe, expect, it } from 'vitest';
import { chooseScheme } from '../../../core/schemes';
import { setUpLeastSquares } from '../../../master/jobs/least-squares/setup';
import { lsGradient } from '../../../shared/kernels';
import { Rng } from '../../../shared/random';
import { matrix } from '../../../shared/tensor';
import { expectClose } from '../../helpers/expect-close';
import { InProcessCluster } from '../logistic/in-process-cluster';

/**
 * Least squares under the product code: two coded products an iteration (Ax, then Aᵀ(Ax − b)),
 * each decoded by peeling from whatever arrived first; rows padded to a multiple of the grid.
 */
describe('least squares under scheme: product-code', () => {
  it('gives the exact gradient Aᵀ(Ax − b) round after round, whichever cells straggle', async () => {
    const rng = new Rng(3);
    const A = matrix(103, 9, Float64Array.from({ length: 103 * 9 }, () => rng.normal()));
    const b = Float64Array.from({ length: 103 }, () => rng.normal());
    const cluster = new InProcessCluster(9, 4);
    const setup = await setUpLeastSquares(cluster, A, b, chooseScheme({ name: 'product-code', grid: [2, 2] }), { jobId: 'ls', seed: 1 });
    expect(setup.roundsPerIteration).toBe(2);
    expect(setup.describe).toMatchObject({ grid: [2, 2], cells: 9 });
    for (let t = 0; t < 20; t++) {
      const x = Float64Array.from({ length: 9 }, () => rng.normal());
      const { g, rounds } = await setup.oracle.gradient(x);
      expect(rounds.every((o) => o.decoded.exact)).toBe(true);
      expectClose(g, lsGradient(A, b, x, new Float64Array(9)), { rtol: 1e-12, atol: 1e-12 });
    }
    // The in-process cluster stops a round once the decoder has enough: cells were cut off.
    expect(cluster.stragglers).toBeGreaterThan(0);
    await setup.release();
  });
});
