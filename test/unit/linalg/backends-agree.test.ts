import { describe, expect, it } from 'vitest';
import { jsLinalg } from '../../../shared/linalg';
import type { Matrix } from '../../../shared/tensor';
import { expectClose } from '../../helpers/expect-close';
import { expectMatrixClose, hilbert, nativeLinalgOrSkip, randomMatrix, rankDeficient, Rng, spd } from './helpers';

/**
 * LAPACK and the js fallback give the same answers where the mathematics defines them uniquely:
 * products, R up to the signs of its rows, eigen and singular values, the LU with its pivots,
 * Cholesky factors, solutions, inverses and minimum-norm least squares, numerical ranks; and
 * condition estimates within the estimators' factor of each other.
 */
const native = nativeLinalgOrSkip('linalg backends agree');
const abs = (d: Float64Array): Float64Array => d.map(Math.abs);
const CLOSE = { rtol: 1e-9, atol: 1e-11 };

describe.skipIf(!native)('native (LAPACK) and js (ml-matrix, loops) agree', () => {
  const la = native!;
  const rng = new Rng(77);
  const A = randomMatrix(45, 45, rng);
  const tall = randomMatrix(120, 17, rng);
  const S = spd(35, rng);
  const B = randomMatrix(45, 3, rng);

  it('products and Grams', () => {
    expectMatrixClose(la.matMul(A, B), jsLinalg.matMul(A, B), 1e-13);
    expectMatrixClose(la.gram(tall), jsLinalg.gram(tall), 1e-13);
  });

  it('pivoted QR: the same column order, |R| and rank; Q up to the same signs', () => {
    for (const M of [tall, A, rankDeficient(60, 20, 9, rng), hilbert(12)]) {
      const n = la.qr(M);
      const j = jsLinalg.qr(M);
      expect(n.rank).toBe(j.rank);
      if (n.rank < Math.min(M.rows, M.cols)) {
        // Below the rank, the trailing columns are rounding noise: only the leading ones are defined.
        expect(Array.from(n.perm.subarray(0, n.rank))).toEqual(Array.from(j.perm.subarray(0, j.rank)));
        continue;
      }
      expect(Array.from(n.perm)).toEqual(Array.from(j.perm));
      expectClose(abs(n.R.data), abs(j.R.data), { rtol: 1e-8, atol: 1e-10 * Math.abs(n.R.data[0]!) });
      const k = n.R.rows;
      const signs = Array.from({ length: k }, (_, i) => Math.sign(n.R.data[i * M.cols + i]!) * Math.sign(j.R.data[i * M.cols + i]!));
      const jq: Matrix = { ...j.Q!, data: j.Q!.data.map((v, idx) => v * signs[idx % k]!) };
      expectMatrixClose(n.Q!, jq, 1e-9);
    }
  });

  it('eigen and singular values; LU with the same pivots', () => {
    expectClose(la.eigh(S).values, jsLinalg.eigh(S).values, CLOSE);
    expectClose(la.svd(tall).s, jsLinalg.svd(tall).s, CLOSE);
    expectClose(la.svd(A, { vectors: 'none' }).s, jsLinalg.svd(A, { vectors: 'none' }).s, CLOSE);
    const n = la.lu(A);
    const j = jsLinalg.lu(A);
    expect(Array.from(n.perm)).toEqual(Array.from(j.perm));
    expectMatrixClose(n.LU, j.LU, 1e-10);
  });

  it('solutions, inverses, Cholesky factors and least squares', () => {
    expectMatrixClose(la.solve(A, B).x, jsLinalg.solve(A, B).x, 1e-9);
    expectMatrixClose(la.inv(A).inverse, jsLinalg.inv(A).inverse, 1e-9);
    expectMatrixClose(la.cholesky(S).L, jsLinalg.cholesky(S).L, 1e-11);
    expectMatrixClose(la.solveSpd(S, B.data.subarray(0, 35)).x, jsLinalg.solveSpd(S, B.data.subarray(0, 35)).x, 1e-10);
    const b = randomMatrix(120, 1, rng).data;
    const ln = la.lstsq(tall, b);
    const lj = jsLinalg.lstsq(tall, b);
    expectMatrixClose(ln.x, lj.x, 1e-9);
    expectClose(ln.residuals, lj.residuals, CLOSE);
    const D = rankDeficient(40, 15, 6, rng);
    const dn = la.lstsq(D, b.subarray(0, 40));
    const dj = jsLinalg.lstsq(D, b.subarray(0, 40));
    expect([dn.rank, dj.rank]).toEqual([6, 6]);
    expectMatrixClose(dn.x, dj.x, 1e-8);
  });

  it('condition estimates agree within the estimators’ factor', () => {
    for (const [n, j] of [
      [la.lu(A).rcond, jsLinalg.lu(A).rcond],
      [la.cholesky(S).rcond, jsLinalg.cholesky(S).rcond],
      [la.lu(hilbert(9)).rcond, jsLinalg.lu(hilbert(9)).rcond],
    ] as const) {
      expect(n / j).toBeGreaterThan(1 / 3);
      expect(n / j).toBeLessThan(3);
    }
  });
});
