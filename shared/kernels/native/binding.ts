import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The Node-API addon (native/coda_blas.c, built by node-gyp to build/Release/coda_blas.node) as
 * TypeScript sees it. Matrices are row-major Float64Arrays with a leading dimension; the addon
 * works on their memory in place. Callers check shapes first (ShapeError); the addon's own checks
 * only guard against reading or writing outside an array.
 */
export interface CodaBlasBinding {
  readonly version: number;
  /** y = alpha·op(A)·x + beta·y; A is m×n. */
  dgemv(trans: boolean, m: number, n: number, alpha: number, A: Float64Array, lda: number, x: Float64Array, beta: number, y: Float64Array): void;
  /** C = alpha·op(A)·op(B) + beta·C; op(A) is m×k, op(B) k×n. */
  dgemm(
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    A: Float64Array,
    lda: number,
    B: Float64Array,
    ldb: number,
    beta: number,
    C: Float64Array,
    ldc: number,
  ): void;
  /** out (+)= w·Aᵀ diag(d) A, both triangles (dsyrk). */
  gram(A: Float64Array, rows: number, cols: number, d: Float64Array | null, w: number, out: Float64Array, accumulate: boolean): void;
  /** out (points×cols) += w·(A Xᵀ − b)ᵀ A, row-blocked so A streams once. */
  lsGradient(A: Float64Array, rows: number, cols: number, b: Float64Array, X: Float64Array, points: number, w: number, out: Float64Array): void;
  /** out[0..cols) += weight·Aᵀβ over the rows (βᵢ = −yᵢσ(−yᵢaᵢ·w)); returns Σ log(1 + e^{−yᵢaᵢ·w}). Row-blocked. */
  logisticGradient(A: Float64Array, rows: number, cols: number, y: Float64Array, w: Float64Array, weight: number, out: Float64Array): number;
  /** Dot products in K (m×n, leading dimension ldk) -> exp(g·d²) (gaussian) or exp(g·d). */
  kernelMap(K: Float64Array, m: number, n: number, ldk: number, pNorms: Float64Array, cNorms: Float64Array, g: number, gaussian: boolean): void;
  /** y = exp(x) by the vectorized exp kernelMap uses (within an ulp of libm's; for the tests). */
  expArray(x: Float64Array, y: Float64Array): void;
  /** out = H⁻¹b (dpotrf + dpotrs); returns 0, or k ≥ 1 when the leading minor of order k is not positive definite. */
  choleskySolve(H: Float64Array, n: number, b: Float64Array, out: Float64Array): number;
  /** A zeroed ArrayBuffer; from 2 MiB up, 2 MiB-aligned and advised MADV_HUGEPAGE. */
  allocate(bytes: number): ArrayBuffer;
  setThreads(threads: number): void;
  /** glibc's mmap threshold pinned at `bytes` (freed megabyte tensors go back to the system); false where there is no glibc. */
  pinMallocThreshold(bytes: number): boolean;
  blasInfo(): { config: string; corename: string; threads: number; library: string };
  /** The calling thread under SCHED_IDLE (true) or back under SCHED_OTHER (false); whether the kernel took it. Optional: builds before it lack it. */
  threadScheduling?(idle: boolean): boolean;

  // LAPACK (native/lapack.c). Dimensions ≥ 1; outputs go into the arrays passed; `info` is
  // LAPACK's (shared/linalg/native-linalg.ts turns it into a typed error).
  /** A[:, perm] = Q·R (dgeqp3, or dgeqrf without pivoting; Q by dorgqr); R k×n, Q m×k, k = min(m, n). */
  qr(A: Float64Array, m: number, n: number, pivoting: boolean, wantQ: boolean, R: Float64Array, Q: Float64Array | null, perm: Int32Array): number;
  /** Eigenvalues ascending in w, eigenvectors as V's columns, of the symmetric matrix in A's lower triangle (dsyevd). */
  eigh(A: Float64Array, n: number, vectors: boolean, w: Float64Array, V: Float64Array | null): number;
  /** A = U·diag(s)·Vt (dgesdd); job 0 values only, 1 thin, 2 full. */
  svd(A: Float64Array, m: number, n: number, job: 0 | 1 | 2, s: Float64Array, U: Float64Array | null, Vt: Float64Array | null): number;
  /** P·A = L·U (dgetrf), LU packed; (P·A)[i] = A[perm[i]]; rcond by dgecon (1-norm). */
  lu(A: Float64Array, n: number, LU: Float64Array, perm: Int32Array): LapackOutcome;
  /** X = A⁻¹B (dgetrf + dgetrs), B and X n×nrhs; X unwritten when info > 0 or rcond < rcondMin. */
  solve(A: Float64Array, n: number, B: Float64Array, nrhs: number, X: Float64Array, rcondMin: number): LapackOutcome;
  /** X = A⁻¹ (dgetrf + dgetri); X holds no inverse when info > 0 or rcond < rcondMin. */
  inv(A: Float64Array, n: number, X: Float64Array, rcondMin: number): LapackOutcome;
  /** L·Lᵀ = A from A's lower triangle (dpotrf), rcond by dpocon; info = k > 0: minor k not positive definite. */
  cholesky(A: Float64Array, n: number, L: Float64Array): LapackOutcome;
  /** X = A⁻¹B for SPD A (dpotrf + dpotrs); X unwritten when info > 0 or rcond < rcondMin. */
  solveSpd(A: Float64Array, n: number, B: Float64Array, nrhs: number, X: Float64Array, rcondMin: number): LapackOutcome;
  /** Minimum-norm least squares (dgelsd): X n×nrhs, s the k singular values, residuals ‖Ax_j − b_j‖²; outcome.rank. */
  lstsq(A: Float64Array, m: number, n: number, B: Float64Array, nrhs: number, rcond: number, X: Float64Array, s: Float64Array, residuals: Float64Array): LapackOutcome;
  /** Each LAPACK routine the entry points use, and whether the loaded BLAS library has it. */
  lapackRoutines(): Record<string, boolean>;
}

/** What a LAPACK entry point returns besides its arrays: LAPACK's info, an rcond estimate, a rank (−1, NaN where not computed). */
export interface LapackOutcome {
  info: number;
  rcond: number;
  rank: number;
}

/** The addon version this code speaks (CODA_BLAS_ADDON_VERSION in native/coda_blas.c). */
export const ADDON_VERSION = 6;
const FUNCTIONS = [
  'dgemv',
  'dgemm',
  'gram',
  'lsGradient',
  'logisticGradient',
  'kernelMap',
  'expArray',
  'choleskySolve',
  'allocate',
  'setThreads',
  'blasInfo',
  'qr',
  'eigh',
  'svd',
  'lu',
  'solve',
  'inv',
  'cholesky',
  'solveSpd',
  'lstsq',
  'lapackRoutines',
] as const;

/** build/Release/coda_blas.node under the package root (found from here, in dist/ or the sources). */
export function defaultAddonPath(): string {
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'build', 'Release', 'coda_blas.node');
    dir = dirname(dir);
  }
  return join(__dirname, 'coda_blas.node');
}

/**
 * Loads the addon from `path`. Throws an Error whose message says why not: missing file, a
 * library it links that is not installed, a build for another Node or platform, a stale build.
 */
export function loadBinding(path: string): CodaBlasBinding {
  if (!existsSync(path)) throw new Error(`no addon at ${path}: not built`);
  let mod: unknown;
  try {
    // A native module can only be loaded through require; this is the one place that does.
    mod = require(realpathSync(path)) as unknown;
  } catch (e) {
    // dlopen's message names the missing library or the ABI mismatch; keep its first line.
    throw new Error(((e as Error).message ?? String(e)).split('\n')[0]!);
  }
  const b = mod as Partial<CodaBlasBinding>;
  if (b.version !== ADDON_VERSION) throw new Error(`${path} is version ${String(b.version)}, this Coda needs version ${ADDON_VERSION} (a stale build)`);
  for (const f of FUNCTIONS) if (typeof b[f] !== 'function') throw new Error(`${path} lacks ${f}()`);
  return b as CodaBlasBinding;
}
