import { CholeskyDecomposition, LuDecomposition, Matrix as Ml } from 'ml-matrix';
import { kernelMatrix, type KernelFn } from '../../shared/kernels';
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
  const x = chol.isPositiveDefinite() ? chol.solve(b) : new LuDecomposition(A).solve(b);
  return Float64Array.from(x.to1DArray());
}
