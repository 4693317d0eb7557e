import { describe, expect, it, vi } from 'vitest';
import { directLeastSquares } from '../../../algorithms';
import { skippedDiagnostic, tryDiagnostic } from '../../../master/jobs/diagnostic';
import { SingularMatrixError } from '../../../shared/errors';
import { inlineLinalg, selectLinalg } from '../../../shared/linalg';
import { Rng } from '../../../shared/random';
import { matrix, type Matrix } from '../../../shared/tensor';
import { expectClose } from '../../helpers/expect-close';

function gaussian(rows: number, cols: number, seed: number): Matrix {
  const rng = new Rng(seed);
  return matrix(rows, cols, Float64Array.from({ length: rows * cols }, () => rng.normal()));
}

/** Column j of A set to a combination of others (in floating point: rank-deficient to working precision, not exactly). */
function withDependentColumn(A: Matrix, j: number): Matrix {
  const data = Float64Array.from(A.data);
  for (let i = 0; i < A.rows; i++) data[i * A.cols + j] = 0.3 * data[i * A.cols]! - 1.7 * data[i * A.cols + 1]!;
  return matrix(A.rows, A.cols, data);
}

/** The normal equations' answer, solved naively (Gaussian elimination on AᵀA): the plain reference. */
function normalEquationsSolve(A: Matrix, b: Float64Array): Float64Array {
  const n = A.cols;
  const M = Array.from({ length: n }, (_, r) => Array.from({ length: n + 1 }, (_, c) => {
    let s = 0;
    for (let i = 0; i < A.rows; i++) s += A.data[i * n + r]! * (c < n ? A.data[i * n + c]! : b[i]!);
    return s;
  }));
  for (let k = 0; k < n; k++) {
    for (let r = k + 1; r < n; r++) {
      const f = M[r]![k]! / M[k]![k]!;
      for (let c = k; c <= n; c++) M[r]![c]! -= f * M[k]![c]!;
    }
  }
  const x = new Float64Array(n);
  for (let k = n - 1; k >= 0; k--) {
    let s = M[k]![n]!;
    for (let c = k + 1; c < n; c++) s -= M[k]![c]! * x[c]!;
    x[k] = s / M[k]![k]!;
  }
  return x;
}

// Both backends: LAPACK (dgelsd) where the addon loads, and the ml-matrix fallback.
const backends = (['native', 'js'] as const).filter((b) => b === 'js' || selectLinalg({ backend: 'auto' }).binding !== undefined);

describe.each(backends)('the least-squares direct reference (%s)', (backend) => {
  const la = inlineLinalg(selectLinalg({ backend }).linalg);

  it('solves a full-rank problem as the normal equations do', async () => {
    const A = gaussian(60, 8, 1);
    const b = gaussian(60, 1, 2).data;
    expectClose(await directLeastSquares(la, A, b), normalEquationsSolve(A, b), { rtol: 1e-9, atol: 1e-12 });
  });

  it.each([
    ['an exactly zero column', (A: Matrix) => matrix(A.rows, A.cols, A.data.map((v, k) => (k % A.cols === A.cols - 1 ? 0 : v)))],
    ['a column that is a combination of two others (to rounding)', (A: Matrix) => withDependentColumn(A, A.cols - 1)],
  ])('refuses A with %s, naming its rank', async (_what, make) => {
    const A = make(gaussian(60, 20, 3));
    const b = gaussian(60, 1, 4).data;
    await expect(directLeastSquares(la, A, b)).rejects.toThrow(SingularMatrixError);
    await expect(directLeastSquares(la, A, b)).rejects.toThrow('A (60×20) is rank-deficient (rank 19 of 20): least squares has no unique solution');
  });

  it('refuses a wide A and a zero A', async () => {
    await expect(directLeastSquares(la, gaussian(5, 8, 5), new Float64Array(5))).rejects.toThrow(/A \(5×8\) is rank-deficient \(rank 5 of 8\)/);
    await expect(directLeastSquares(la, matrix(6, 3, new Float64Array(18)), new Float64Array(6))).rejects.toThrow(/rank 0 of 3/);
  });
});

describe('optional diagnostics never cost the result', () => {
  it('a diagnostic that throws is null with the reason, and logged', async () => {
    const warn = vi.fn();
    const la = inlineLinalg(selectLinalg({ backend: 'js' }).linalg);
    const d = await tryDiagnostic('reference', () => directLeastSquares(la, matrix(6, 3, new Float64Array(18)), new Float64Array(6)), { warn } as never);
    expect(d.value).toBeNull();
    expect(d.error).toMatch(/rank-deficient \(rank 0 of 3\)/);
    expect(warn).toHaveBeenCalledOnce();
    expect(await tryDiagnostic('x', () => 42, { warn } as never)).toEqual({ value: 42, error: null });
    expect(await tryDiagnostic('x', async () => 43, { warn } as never)).toEqual({ value: 43, error: null });
    expect(skippedDiagnostic('too large')).toEqual({ value: null, error: 'too large' });
  });
});
