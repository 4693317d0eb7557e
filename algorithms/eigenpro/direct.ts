import { NotPositiveDefiniteError, SingularMatrixError } from '../../shared/errors';
import type { KernelFn } from '../../shared/kernels';
import type { AsyncLinalg } from '../../shared/linalg';
import type { Matrix } from '../../shared/tensor';

/** Largest n for which jobs also solve Kα = y directly (an O(n³) reference). */
export const DIRECT_LIMIT = 2500;

/**
 * α* = K⁻¹y, K = k(X, X), on the master's linear-algebra thread: the kernel matrix (dgemm), then
 * Cholesky (K is positive definite in exact arithmetic), or LU when rounding makes it numerically
 * not (or a Cholesky solve refuses it as singular to working precision, which LU may still solve);
 * SingularMatrixError when LU finds K singular to working precision (rcond below ε: an α* from it
 * would be noise, e.g. two equal training points, whose rows of K are equal).
 */
export async function directKernelSolve(la: AsyncLinalg, kernel: KernelFn, X: Matrix, y: Float64Array): Promise<Float64Array> {
  const K = await la.kernelMatrix(kernel, X, X);
  try {
    return (await la.solveSpd(K, y)).x.data;
  } catch (e) {
    if (!(e instanceof NotPositiveDefiniteError) && !(e instanceof SingularMatrixError)) throw e;
  }
  try {
    return (await la.solve(K, y)).x.data;
  } catch (e) {
    // Two equal training points give two equal rows of K: no α* interpolates them.
    if (e instanceof SingularMatrixError) throw new SingularMatrixError(`the kernel matrix K (${X.rows}×${X.rows}) is singular to working precision (are some training points repeated?): no interpolating α* (${e.message})`);
    throw e;
  }
}
