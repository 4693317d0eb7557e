import { QrDecomposition, Matrix as MlMatrix, EigenvalueDecomposition, SingularValueDecomposition } from 'ml-matrix';
import { SingularMatrixError } from '../shared/errors';
import type { Matrix } from '../shared/tensor';

function toMl(m: Matrix): MlMatrix {
  const out = new MlMatrix(m.rows, m.cols);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out.set(i, j, m.data[i * m.cols + j]!);
  return out;
}

/**
 * The numerical rank of an m×n A (m ≥ n) from the R of its QR: R has A's singular values, and
 * an n×n SVD costs little beside the QR. numpy's matrix_rank tolerance: σ > σ_max·max(m, n)·ε.
 */
function rankFromR(R: MlMatrix, m: number, n: number): number {
  const sv = new SingularValueDecomposition(R, { computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal;
  const top = Math.max(0, ...sv);
  const tol = top * Math.max(m, n) * Number.EPSILON;
  return top > 0 ? sv.filter((s) => s > tol).length : 0;
}

/**
 * x* = argmin ‖Ax − b‖ by Householder QR (the reference the iterative answers are checked
 * against). A rank-deficient A (to working precision: an exactly singular R is not needed) has
 * no unique solution: SingularMatrixError with its rank, rather than a meaningless x*.
 */
export function directLeastSquares(A: Matrix, b: Float64Array): Float64Array {
  const deficient = (rank: number): SingularMatrixError =>
    new SingularMatrixError(`A (${A.rows}×${A.cols}) is rank-deficient (rank ${rank} of ${A.cols}): least squares has no unique solution`);
  if (A.rows < A.cols) throw deficient(Math.min(A.rows, rankFromR(new QrDecomposition(toMl(A).transpose()).upperTriangularMatrix, A.cols, A.rows)));
  const qr = new QrDecomposition(toMl(A));
  const rank = rankFromR(qr.upperTriangularMatrix, A.rows, A.cols);
  if (rank < A.cols || !qr.isFullRank()) throw deficient(Math.min(rank, A.cols - 1));
  const x = qr.solve(MlMatrix.columnVector(Array.from(b)));
  return Float64Array.from(x.getColumn(0));
}

/** Largest eigenvalue of a symmetric d×d matrix (row-major). */
export function largestEigenvalue(G: Float64Array, d: number): number {
  const m = new MlMatrix(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) m.set(i, j, G[i * d + j]!);
  const ev = new EigenvalueDecomposition(m, { assumeSymmetric: true }).realEigenvalues;
  return Math.max(...ev);
}
