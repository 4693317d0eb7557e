import type { KernelFn } from '../kernels/kernel-rows';
import type { Matrix } from '../tensor';

/**
 * The dense linear algebra the master needs, one interface with two backends (native: LAPACK
 * through the addon; js: ml-matrix and plain loops, the fallback and the reference), the
 * semantics of numpy.linalg / scipy.linalg. Matrices are row-major; a right-hand side may be a
 * vector (a column). Inputs are never modified. Bad input is a typed error: ShapeError for
 * shapes, InputError for NaN or ±Infinity, SingularMatrixError where a solve or inverse meets a
 * singular matrix (exactly, or below `rcondMin`), NotPositiveDefiniteError for Cholesky,
 * ConvergenceError when an eigen or singular value iteration fails.
 */
export type LinalgBackendName = 'native' | 'js';

export interface MatMulOptions {
  transA?: boolean;
  transB?: boolean;
}

export interface GramOptions {
  /** Row weights d (length A.rows): scale·Aᵀ·diag(d)·A, any real weights (a weighted Hessian). */
  weights?: Float64Array;
  /** A factor on the whole product (default 1). */
  scale?: number;
}

export interface QrOptions {
  /** Column pivoting (LAPACK dgeqp3, scipy's pivoting=True). Default true: a numerical rank needs it. */
  pivoting?: boolean;
  /** Form Q (m×k). Default true; false gives R, the permutation and the rank only. */
  q?: boolean;
  /**
   * |R[j,j]| ≤ rtol·max|R[j,j]| counts as zero. Default max(m, n)·ε: numpy.linalg.matrix_rank's
   * default tolerance, applied to the pivoted R's diagonal instead of the singular values.
   */
  rtol?: number;
}

export interface QrResult {
  /** m×k with orthonormal columns (k = min(m, n)); null when not asked for. */
  Q: Matrix | null;
  /** k×n upper trapezoidal; with pivoting |R[j,j]| does not increase. */
  R: Matrix;
  /** A[:, perm] = Q·R: column j of Q·R is column perm[j] of A (scipy's P). */
  perm: Int32Array;
  /** The numerical rank: how many |R[j,j]| exceed `tol`. */
  rank: number;
  /** The absolute threshold the diagonal was compared with. */
  tol: number;
}

export interface EighOptions {
  /** Eigenvectors too (default true). */
  vectors?: boolean;
}

export interface EighResult {
  /** Ascending. */
  values: Float64Array;
  /** n×n orthogonal, eigenvector j in column j; null when not asked for. */
  vectors: Matrix | null;
}

export interface SvdOptions {
  /**
   * 'thin' (default): U m×k, Vt k×n; 'full': U m×m, Vt n×n (numpy's full_matrices=True, which
   * for a tall A is an m×m U: 3.2 GB at m = 20000); 'none': singular values only.
   */
  vectors?: 'none' | 'thin' | 'full';
}

export interface SvdResult {
  /** Descending, k = min(m, n) of them. */
  s: Float64Array;
  U: Matrix | null;
  Vt: Matrix | null;
}

export interface LuResult {
  /** L (unit lower, below the diagonal) and U (upper) packed. */
  LU: Matrix;
  /** P·A = L·U: row i of P·A is row perm[i] of A. */
  perm: Int32Array;
  /** Estimate of 1/(‖A‖₁·‖A⁻¹‖₁); 0 when U is exactly singular (then no solve is possible). */
  rcond: number;
}

export interface SolveOptions {
  /**
   * Refuse (SingularMatrixError) when the reciprocal condition number estimate is below this.
   * Default ε = 2.2e-16: "singular to working precision" (where scipy warns, Coda refuses; 0
   * refuses only an exactly singular matrix, as numpy does).
   */
  rcondMin?: number;
}

export interface SolveResult {
  /** n×nrhs (a vector right-hand side gives n×1). */
  x: Matrix;
  /** Estimate of 1/κ₁(A) (LAPACK dgecon / dpocon; Hager–Higham on the js backend). */
  rcond: number;
}

export interface InvResult {
  inverse: Matrix;
  rcond: number;
}

export interface CholeskyResult {
  /** Lower triangular, zero above the diagonal, L·Lᵀ = A (from A's lower triangle). */
  L: Matrix;
  rcond: number;
}

export interface LstsqOptions {
  /** Singular values below rcond·s[0] count as zero. Default ε·max(m, n), numpy.linalg.lstsq's. */
  rcond?: number;
}

export interface LstsqResult {
  /** n×nrhs, the minimum-norm least-squares solution. */
  x: Matrix;
  /** ‖A·x_j − b_j‖² per column when rank = n < m (numpy's rule), otherwise empty. */
  residuals: Float64Array;
  rank: number;
  /** A's singular values, descending. */
  s: Float64Array;
}

export interface Linalg {
  readonly name: LinalgBackendName;
  /** op(A)·op(B) (dgemm). */
  matMul(A: Matrix, B: Matrix, options?: MatMulOptions): Matrix;
  /** scale·Aᵀ·diag(weights)·A (default AᵀA), both triangles (dsyrk). */
  gram(A: Matrix, options?: GramOptions): Matrix;
  /** QR, with column pivoting by default, and the numerical rank. */
  qr(A: Matrix, options?: QrOptions): QrResult;
  /** Eigen-decomposition of the symmetric matrix in A's lower triangle (numpy's UPLO='L'). */
  eigh(A: Matrix, options?: EighOptions): EighResult;
  svd(A: Matrix, options?: SvdOptions): SvdResult;
  /** P·A = L·U with partial pivoting; never throws for singularity (rcond says it). */
  lu(A: Matrix): LuResult;
  /** A⁻¹·B by LU; SingularMatrixError when A is singular or rcond < rcondMin. */
  solve(A: Matrix, B: Matrix | Float64Array, options?: SolveOptions): SolveResult;
  /** A⁻¹ by LU; SingularMatrixError as solve. */
  inv(A: Matrix, options?: SolveOptions): InvResult;
  /** NotPositiveDefiniteError when A is not positive definite. */
  cholesky(A: Matrix): CholeskyResult;
  /** A⁻¹·B for SPD A by Cholesky; NotPositiveDefiniteError, or SingularMatrixError below rcondMin. */
  solveSpd(A: Matrix, B: Matrix | Float64Array, options?: SolveOptions): SolveResult;
  /** Minimum-norm least squares by the SVD (numpy.linalg.lstsq); rank deficiency is reported, not refused. */
  lstsq(A: Matrix, B: Matrix | Float64Array, options?: LstsqOptions): LstsqResult;
  /**
   * The kernel matrix K[i,j] = k(P_i, C_j), P.rows×C.rows (dgemm for the dot products on the
   * native backend, the plain loops of shared/kernels on js): a direct kernel solve's K and a
   * prediction block are as heavy as a factorization and belong on the same thread.
   */
  kernelMatrix(kernel: KernelFn, P: Matrix, C: Matrix): Matrix;
  /**
   * Predictions F = K(P, C)·W for several weight vectors at once (W: C.rows×s, one column each),
   * in blocks of P's rows, never forming all of K: a kernel model's evaluation, off the loop.
   */
  kernelPredict(kernel: KernelFn, P: Matrix, C: Matrix, W: Matrix): Matrix;
}

/** The operations, by name (what a compute thread may be asked to run). */
export const LINALG_OPS = ['matMul', 'gram', 'qr', 'eigh', 'svd', 'lu', 'solve', 'inv', 'cholesky', 'solveSpd', 'lstsq', 'kernelMatrix', 'kernelPredict'] as const;
export type LinalgOp = (typeof LINALG_OPS)[number];

/** The same operations, answered later (on a compute thread). */
export type AsyncLinalg = { readonly name: LinalgBackendName } & {
  readonly [K in LinalgOp]: (...args: Parameters<Linalg[K]>) => Promise<ReturnType<Linalg[K]>>;
};
