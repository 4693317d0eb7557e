import { SingularMatrixError } from '../shared/errors';
import type { AsyncLinalg } from '../shared/linalg';
import type { Matrix } from '../shared/tensor';

/**
 * x* = argmin ‖Ax − b‖ by the SVD (LAPACK dgelsd on the master's thread; the reference the
 * iterative answers are checked against). SingularMatrixError when A is rank deficient: the
 * least-squares solution is then not unique.
 */
export async function directLeastSquares(la: AsyncLinalg, A: Matrix, b: Float64Array): Promise<Float64Array> {
  const { x, rank } = await la.lstsq(A, b);
  if (rank < A.cols) throw new SingularMatrixError(`A (${A.rows}×${A.cols}) is rank-deficient (rank ${rank} of ${A.cols}): least squares has no unique solution`);
  return x.data;
}

/** Largest eigenvalue of a symmetric d×d matrix (row-major; LAPACK dsyevd without vectors). */
export async function largestEigenvalue(la: AsyncLinalg, G: Float64Array, d: number): Promise<number> {
  const { values } = await la.eigh({ rows: d, cols: d, data: G }, { vectors: false });
  return values[d - 1] ?? 0;
}
