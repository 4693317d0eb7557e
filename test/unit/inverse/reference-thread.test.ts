import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directLeastSquares } from '../../../algorithms';
import { checkFullRank, exactReference, inverseErrors, inverseProblem } from '../../../algorithms/inverse';
import { inlineLinalg, linalgThread, selectLinalg, type AsyncLinalg, type LinalgThreadPool } from '../../../shared/linalg';
import { staleDist } from '../../helpers/dist-fresh';
import { backends } from '../linalg/helpers';
import { gaussian } from './helpers';

/**
 * The master runs its references on its linear-algebra thread: the inverse (LU), the
 * pseudoinverse (least squares of AX = I), a direct least-squares solve, the rank check and the
 * error products give the same bits there as inline. The thread runs the compiled entry (dist/).
 */
beforeAll(() => {
  const stale = staleDist();
  if (stale) throw new Error(stale);
});

const same = (a: Float64Array, b: Float64Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

// The native backend where the addon loads (a loud skip otherwise; CODA_REQUIRE_NATIVE=1 fails), js always.
describe.each(backends('inverse references on a thread').map((l) => [l.name] as const))('%s references through the thread equal the inline ones', (backend) => {
  let pool: LinalgThreadPool;
  let inline: AsyncLinalg;
  beforeAll(async () => {
    inline = inlineLinalg(selectLinalg({ backend }).linalg);
    pool = await linalgThread({ backend, blasThreads: 1 });
  });
  afterAll(() => pool.close());

  it('inverse: A⁻¹ and σ by LU and the SVD; the rank check and the errors', async () => {
    const p = inverseProblem('inverse', gaussian(70, 70, 21));
    const [t, i] = [await exactReference(pool, p), await exactReference(inline, p)];
    expect(same(t.exact.data, i.exact.data)).toBe(true);
    expect([t.sigmaMin, t.sigmaMax]).toEqual([i.sigmaMin, i.sigmaMax]);
    expect(t.method).toBe(`exact (${backend}: LU inverse)`);
    expect(await checkFullRank(pool, p)).toEqual(await checkFullRank(inline, p));
    const estimate = { ...t.exact, data: t.exact.data.map((v, k) => v * (1 + 1e-9 * Math.sin(k))) };
    expect(await inverseErrors(pool, p, estimate, t)).toEqual(await inverseErrors(inline, p, estimate, i));
  });

  it('pseudoinverse: A† as the least-squares solution of AX = I, with A’s singular values', async () => {
    const p = inverseProblem('pseudoinverse', gaussian(90, 30, 22));
    const [t, i] = [await exactReference(pool, p), await exactReference(inline, p)];
    expect([t.exact.rows, t.exact.cols]).toEqual([30, 90]);
    expect(same(t.exact.data, i.exact.data)).toBe(true);
    expect([t.sigmaMin, t.sigmaMax]).toEqual([i.sigmaMin, i.sigmaMax]);
  });

  it('least squares: the direct solve by the SVD; a rank-deficient A is refused', async () => {
    const A = gaussian(120, 12, 23);
    const b = gaussian(120, 1, 24).data;
    expect(same(await directLeastSquares(pool, A, b), await directLeastSquares(inline, A, b))).toBe(true);
    for (let r = 0; r < 120; r++) A.data[r * 12 + 5] = A.data[r * 12 + 2]!;
    await expect(directLeastSquares(pool, A, b)).rejects.toThrow(/rank-deficient \(rank 11 of 12\)/);
  });
});
