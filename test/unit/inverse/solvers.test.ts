import { describe, expect, it } from 'vitest';
import { Matrix as MlMatrix, solve } from 'ml-matrix';
import {
  cgLeastSquares,
  denseOperator,
  lsResidualAndGradient,
  packSolvedColumns,
  solveUnitColumns,
  sdLeastSquares,
  unpackSolvedColumns,
} from '../../../shared/kernels';
import { matrix, type Matrix } from '../../../shared/tensor';
import { expectClose } from '../../helpers/expect-close';
import { gaussian } from './helpers';

/** A + shift·I: well conditioned for a shift of a few √n. */
function shifted(A: Matrix, shift: number): Matrix {
  const d = Float64Array.from(A.data);
  for (let i = 0; i < A.rows; i++) d[i * A.cols + i]! += shift;
  return matrix(A.rows, A.cols, d);
}

function direct(A: Matrix, y: Float64Array): Float64Array {
  const M = new MlMatrix(A.rows, A.cols);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) M.set(i, j, A.data[i * A.cols + j]!);
  return Float64Array.from(solve(M, MlMatrix.columnVector(Array.from(y)), true).to1DArray());
}

/** ‖∇f(x)‖ for f(x) = ‖Ax − y‖², computed the naive way. */
function naiveGradientNorm(A: Matrix, x: Float64Array, y: Float64Array): number {
  const r = new Float64Array(A.rows);
  for (let i = 0; i < A.rows; i++) {
    let s = -y[i]!;
    for (let j = 0; j < A.cols; j++) s += A.data[i * A.cols + j]! * x[j]!;
    r[i] = s;
  }
  let gg = 0;
  for (let j = 0; j < A.cols; j++) {
    let s = 0;
    for (let i = 0; i < A.rows; i++) s += A.data[i * A.cols + j]! * r[i]!;
    gg += (2 * s) ** 2;
  }
  return Math.sqrt(gg);
}

describe('column solvers on f(x) = ‖Ax − y‖² (the paper\'s eq. (2))', () => {
  const A = shifted(gaussian(40, 40, 3), 15);
  const y = new Float64Array(40);
  y[5] = 1;

  for (const [name, solver] of [['cg', cgLeastSquares], ['sd', sdLeastSquares]] as const) {
    it(`${name} stops on ‖∇f‖ ≤ ε (checked naively) and matches a direct solve`, () => {
      const res = solver(denseOperator(A), y, { tol: 1e-11, maxIterations: 100_000 });
      expect(res.converged).toBe(true);
      const g = naiveGradientNorm(A, res.x, y);
      expect(g).toBeLessThanOrEqual(1e-11);
      expect(res.gradientNorm).toBeCloseTo(g, 14);
      expectClose(res.x, direct(A, y), { rtol: 1e-9, atol: 1e-11 });
    });
  }

  it('cg solves tall least squares (300×100) to the normal-equation solution', () => {
    const T = gaussian(300, 100, 11);
    const b = gaussian(300, 1, 12).data;
    const res = cgLeastSquares(denseOperator(T), b, { tol: 1e-10, maxIterations: 5000 });
    expect(res.converged).toBe(true);
    // QR least squares as the reference.
    const M = new MlMatrix(300, 100);
    for (let i = 0; i < 300; i++) for (let j = 0; j < 100; j++) M.set(i, j, T.data[i * 100 + j]!);
    const ref = Float64Array.from(solve(M, MlMatrix.columnVector(Array.from(b))).to1DArray());
    expectClose(res.x, ref, { rtol: 1e-9, atol: 1e-11 });
  });

  it('sd with backtracking decreases f monotonically (Armijo) and takes far more iterations than cg', () => {
    const G = gaussian(60, 60, 5); // κ in the hundreds
    const e = new Float64Array(60);
    e[0] = 1;
    const cg = cgLeastSquares(denseOperator(G), e, { tol: 1e-8, maxIterations: 10_000 });
    expect(cg.converged).toBe(true);
    const sd = sdLeastSquares(denseOperator(G), e, { tol: 1e-8, maxIterations: 3000 });
    // SD stalls: the cap is reached long before ε at this conditioning.
    expect(sd.converged).toBe(false);
    expect(sd.iterations).toBe(3000);
    expect(cg.iterations).toBeLessThan(300);
    // Monotone decrease along SD's path, checked over a few prefixes.
    let last = Infinity;
    for (const cap of [1, 5, 25, 125, 625]) {
      const r = sdLeastSquares(denseOperator(G), e, { tol: 0, maxIterations: cap });
      expect(r.residualNorm).toBeLessThan(last);
      last = r.residualNorm;
    }
  });

  it('lsResidualAndGradient agrees with the naive gradient', () => {
    const x = gaussian(40, 1, 9).data;
    const r = new Float64Array(40);
    const g = new Float64Array(40);
    const [gn] = lsResidualAndGradient(denseOperator(A), x, y, r, g);
    expect(gn).toBeCloseTo(naiveGradientNorm(A, x, y), 9);
  });

  it('solves unit columns and round-trips them through the wire packing', () => {
    const s = solveUnitColumns(denseOperator(A), [3, 7], 'cg', { tol: 1e-12, maxIterations: 1000 });
    const back = unpackSolvedColumns(packSolvedColumns(s), 2, 40);
    expect(Array.from(back.values)).toEqual(Array.from(s.values));
    expect(back.stats).toEqual(s.stats);
    const e7 = new Float64Array(40);
    e7[7] = 1;
    expectClose(back.values.subarray(40, 80), direct(A, e7), { rtol: 1e-9, atol: 1e-11 });
  });
});
