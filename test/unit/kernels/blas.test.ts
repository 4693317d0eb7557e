import { describe, expect, it } from 'vitest';
import { axpy, dot, gram, lsGradient, matMul, matTVec, matVec, norm2 } from '../../../shared/kernels';
import { Rng } from '../../../shared/random';
import type { Matrix } from '../../../shared/tensor';
import { expectClose, TOL } from '../../helpers/expect-close';

/** Naive references: index arithmetic written the obvious way, no fusion, no accumulation tricks. */
const at = (A: Matrix, i: number, j: number): number => A.data[i * A.cols + j]!;
function refMatVec(A: Matrix, x: Float64Array): Float64Array {
  return Float64Array.from({ length: A.rows }, (_, i) => Array.from({ length: A.cols }, (_, j) => at(A, i, j) * x[j]!).reduce((a, b) => a + b, 0));
}
function refMatTVec(A: Matrix, v: Float64Array): Float64Array {
  return Float64Array.from({ length: A.cols }, (_, j) => Array.from({ length: A.rows }, (_, i) => at(A, i, j) * v[i]!).reduce((a, b) => a + b, 0));
}
function random(rows: number, cols: number, rng: Rng): Matrix {
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => rng.normal()) };
}
const vec = (n: number, rng: Rng): Float64Array => Float64Array.from({ length: n }, () => rng.normal());

describe('kernels against naive references', () => {
  const rng = new Rng(11);
  for (const [rows, cols] of [[1, 1], [7, 3], [50, 40], [3, 17]] as const) {
    it(`matVec, matTVec, lsGradient, gram on ${rows}×${cols}`, () => {
      const A = random(rows, cols, rng);
      const x = vec(cols, rng);
      const b = vec(rows, rng);
      const d = vec(rows, rng);
      expectClose(matVec(A, x, new Float64Array(rows)), refMatVec(A, x));
      expectClose(matTVec(A, b, new Float64Array(cols)), refMatTVec(A, b));
      // weighted and accumulated forms
      const acc = Float64Array.from(refMatVec(A, x));
      matVec(A, x, acc, -2.5, true);
      expectClose(acc, refMatVec(A, x).map((v) => -1.5 * v), TOL.roundoff);
      const r = refMatVec(A, x).map((v, i) => v - b[i]!);
      expectClose(lsGradient(A, b, x, new Float64Array(cols), 0.5), refMatTVec(A, r).map((v) => 0.5 * v));
      const G = gram(A, d, new Float64Array(cols * cols));
      const Gref = new Float64Array(cols * cols);
      for (let p = 0; p < cols; p++) for (let q = 0; q < cols; q++) for (let i = 0; i < rows; i++) Gref[p * cols + q]! += at(A, i, p) * d[i]! * at(A, i, q);
      expectClose(G, Gref);
      const At: Matrix = { rows: cols, cols: rows, data: Float64Array.from({ length: rows * cols }, (_, k) => at(A, k % rows, Math.floor(k / rows))) };
      expectClose(gram(A, undefined, new Float64Array(cols * cols)), matMul(At, A).data);
    });
  }

  it('dot, axpy, norm2 (norm2 survives values whose squares overflow)', () => {
    const a = Float64Array.from([1, 2, 3]);
    const b = Float64Array.from([4, -5, 6]);
    expect(dot(a, b)).toBe(12);
    axpy(2, a, b);
    expect(Array.from(b)).toEqual([6, -1, 12]);
    expect(norm2(Float64Array.from([3e200, 4e200]))).toBeCloseTo(5e200, -190);
    expect(norm2(new Float64Array(3))).toBe(0);
  });

  it('refuses mismatched shapes with a message naming them', () => {
    const A = random(3, 2, rng);
    expect(() => matVec(A, new Float64Array(3), new Float64Array(3))).toThrow('matVec: A is 3×2, x has 3');
    expect(() => lsGradient(A, new Float64Array(2), new Float64Array(2), new Float64Array(2))).toThrow('A has 3 rows, b has 2');
  });
});
