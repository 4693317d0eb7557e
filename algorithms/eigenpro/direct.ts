import { CholeskyDecomposition, LuDecomposition, Matrix as Ml } from 'ml-matrix';
import { kernelMatrix, type KernelFn } from '../../shared/kernels';
import { SingularMatrixError } from '../../shared/errors';
import type { Matrix } from '../../shared/tensor';

/** Largest n for which jobs also solve Kα = y directly (an O(n³) reference). */
export const DIRECT_LIMIT = 2500;

/** α* = K⁻¹y by Cholesky (LU if K is numerically not positive definite). */
export function directKernelSolve(kernel: KernelFn, X: Matrix, y: Float64Array): Float64Array {
  const n = X.rows;
  const K = kernelMatrix(kernel, X, X);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(K.subarray(i * n, (i + 1) * n)));
  const A = new Ml(rows);
  const b = Ml.columnVector(Array.from(y));
  const chol = new CholeskyDecomposition(A);
  if (chol.isPositiveDefinite()) return Float64Array.from(chol.solve(b).to1DArray());
  const lu = new LuDecomposition(A);
  // Two equal training points give two equal rows of K: no α* interpolates them.
  if (lu.isSingular()) throw new SingularMatrixError(`the kernel matrix K (${n}×${n}) is singular (are some training points repeated?): no interpolating α*`);
  const x = lu.solve(b);
  return Float64Array.from(x.to1DArray());
}
