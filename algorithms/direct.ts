import { QrDecomposition, Matrix as MlMatrix, EigenvalueDecomposition } from 'ml-matrix';
import { SingularMatrixError } from '../shared/errors';
import type { Matrix } from '../shared/tensor';

function toMl(m: Matrix): MlMatrix {
  const out = new MlMatrix(m.rows, m.cols);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out.set(i, j, m.data[i * m.cols + j]!);
  return out;
}

/** x* = argmin ‖Ax − b‖ by Householder QR (the reference the iterative answers are checked against). */
export function directLeastSquares(A: Matrix, b: Float64Array): Float64Array {
  const qr = new QrDecomposition(toMl(A));
  if (!qr.isFullRank()) throw new SingularMatrixError(`A (${A.rows}×${A.cols}) is rank deficient: least squares has no unique solution`);
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
