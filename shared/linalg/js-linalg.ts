import { EigenvalueDecomposition, LuDecomposition, Matrix as MlMatrix, SingularValueDecomposition } from 'ml-matrix';
import { NotPositiveDefiniteError, ShapeError, SingularMatrixError } from '../errors';
import { gram as loopGram, matMul as loopMatMul } from '../kernels/blas';
import { choleskyLower, choleskySolveFactored } from '../kernels/cholesky';
import { kernelMatrix as loopKernelMatrix, kernelRows, type KernelFn } from '../kernels/kernel-rows';
import { predictBlocks } from './kernel-blocks';
import { transpose, type Matrix } from '../tensor';
import {
  checkInput,
  checkKernelMatrix,
  checkKernelPredict,
  checkSquare,
  exact,
  EPS,
  gramOptions,
  identity,
  notPositiveDefiniteMessage,
  rankOfR,
  rightHandSide,
  singularMessage,
  tolerance,
  valuesOf,
  zeros,
} from './checks';
import { householderQr } from './js/householder-qr';
import { oneNorm, rcondEstimate, symmetricOneNorm } from './js/rcond';
import type { CholeskyResult, EighOptions, GramOptions, EighResult, InvResult, Linalg, LstsqOptions, LstsqResult, LuResult, MatMulOptions, QrOptions, QrResult, SolveOptions, SolveResult, SvdOptions, SvdResult } from './types';

/**
 * The Linalg interface without the addon: ml-matrix's decompositions (LU, symmetric eigen, SVD)
 * and plain loops where ml-matrix has nothing (pivoted QR, Cholesky with its failing minor, the
 * condition estimate). The fallback where OpenBLAS is not built, and the reference the native
 * backend is tested against. Same checks, errors and conventions as the native backend; the
 * numbers agree to rounding (factor signs and tie-breaking pivots may differ).
 */

const toMl = (A: Matrix): MlMatrix => MlMatrix.from1DArray(A.rows, A.cols, valuesOf(A));

/** A's lower triangle mirrored: the symmetric matrix eigh and cholesky read. */
function symmetricFromLower(A: Matrix): MlMatrix {
  const n = A.rows;
  const S = new MlMatrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = A.data[i * n + j]!;
      S.set(i, j, v);
      S.set(j, i, v);
    }
  }
  return S;
}

function column(M: Matrix, j: number): Float64Array {
  const out = new Float64Array(M.rows);
  for (let i = 0; i < M.rows; i++) out[i] = M.data[i * M.cols + j]!;
  return out;
}

function setColumn(M: Matrix, j: number, v: Float64Array): void {
  for (let i = 0; i < M.rows; i++) M.data[i * M.cols + j] = v[i]!;
}

/** Columns of an orthonormal U (m×k) completed to an m×m orthogonal matrix. */
function completeBasis(U: Matrix): Matrix {
  const { rows: m, cols: k } = U;
  if (k === m) return U;
  // A full QR of U: Q's first k columns span U's range, so the rest are orthogonal to it.
  const Q = householderQr(U, false, m).Q!;
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) Q.data[i * m + j] = U.data[i * k + j]!;
  return Q;
}

/** x = A⁻¹b (or A⁻ᵀb) from P·A = L·U packed in LU, perm as in LuResult. */
function luSolve(LU: Float64Array, perm: Int32Array, n: number, b: Float64Array, trans: boolean): Float64Array {
  const x = new Float64Array(n);
  if (!trans) {
    for (let i = 0; i < n; i++) {
      let s = b[perm[i]!]!;
      for (let j = 0; j < i; j++) s -= LU[i * n + j]! * x[j]!;
      x[i] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i]!;
      for (let j = i + 1; j < n; j++) s -= LU[i * n + j]! * x[j]!;
      x[i] = s / LU[i * n + i]!;
    }
    return x;
  }
  // Aᵀ = Uᵀ·Lᵀ·P: solve Uᵀw = b, then Lᵀv = w, then x = Pᵀv.
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let j = 0; j < i; j++) s -= LU[j * n + i]! * w[j]!;
    w[i] = s / LU[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = w[i]!;
    for (let j = i + 1; j < n; j++) s -= LU[j * n + i]! * w[j]!;
    w[i] = s;
  }
  for (let i = 0; i < n; i++) x[perm[i]!] = w[i]!;
  return x;
}

function matMul(A: Matrix, B: Matrix, o: MatMulOptions = {}): Matrix {
  checkInput('matMul', 'A', A);
  checkInput('matMul', 'B', B);
  const a = o.transA ? transpose(A) : { rows: A.rows, cols: A.cols, data: valuesOf(A) };
  const b = o.transB ? transpose(B) : { rows: B.rows, cols: B.cols, data: valuesOf(B) };
  if (a.cols !== b.rows) throw new ShapeError(`matMul: op(A) is ${a.rows}×${a.cols}, op(B) is ${b.rows}×${b.cols}`);
  return loopMatMul(a, b);
}

function gram(A: Matrix, o: GramOptions = {}): Matrix {
  checkInput('gram', 'A', A);
  const { d, w } = gramOptions(A, o);
  return { rows: A.cols, cols: A.cols, data: loopGram({ rows: A.rows, cols: A.cols, data: valuesOf(A) }, d, new Float64Array(A.cols * A.cols), w) };
}

function qr(A: Matrix, o: QrOptions = {}): QrResult {
  checkInput('qr', 'A', A);
  const { rows: m, cols: n } = A;
  const k = Math.min(m, n);
  const rtol = tolerance('qr', 'rtol', o.rtol, Math.max(m, n) * EPS);
  const f = householderQr(A, o.pivoting ?? true, (o.q ?? true) ? k : null);
  return { Q: f.Q, R: f.R, perm: f.perm, ...rankOfR(f.R, rtol) };
}

function eigh(A: Matrix, o: EighOptions = {}): EighResult {
  checkSquare('eigh', A);
  const n = A.rows;
  const vectors = o.vectors ?? true;
  if (n === 0) return { values: new Float64Array(0), vectors: vectors ? zeros(0, 0) : null };
  const evd = new EigenvalueDecomposition(symmetricFromLower(A), { assumeSymmetric: true });
  const raw = evd.realEigenvalues;
  const order = raw.map((_, i) => i).sort((p, q) => raw[p]! - raw[q]!);
  const values = Float64Array.from(order, (i) => raw[i]!);
  if (!vectors) return { values, vectors: null };
  const E = evd.eigenvectorMatrix;
  const V = zeros(n, n);
  for (let i = 0; i < n; i++) for (let c = 0; c < n; c++) V.data[i * n + c] = E.get(i, order[c]!);
  return { values, vectors: V };
}

function svd(A: Matrix, o: SvdOptions = {}): SvdResult {
  checkInput('svd', 'A', A);
  const { rows: m, cols: n } = A;
  const k = Math.min(m, n);
  const mode = o.vectors ?? 'thin';
  if (mode !== 'none' && mode !== 'thin' && mode !== 'full') throw new ShapeError(`svd: vectors must be none, thin or full, got ${String(mode)}`);
  if (k === 0) {
    const s = new Float64Array(0);
    if (mode === 'none') return { s, U: null, Vt: null };
    return mode === 'full' ? { s, U: identity(m), Vt: identity(n) } : { s, U: zeros(m, 0), Vt: zeros(0, n) };
  }
  const want = mode !== 'none';
  const f = new SingularValueDecomposition(toMl(A), { computeLeftSingularVectors: want, computeRightSingularVectors: want, autoTranspose: true });
  const s = Float64Array.from(f.diagonal.slice(0, k));
  if (!want) return { s, U: null, Vt: null };
  const thinU: Matrix = { rows: m, cols: k, data: Float64Array.from(f.leftSingularVectors.subMatrix(0, m - 1, 0, k - 1).to1DArray()) };
  const thinV: Matrix = { rows: n, cols: k, data: Float64Array.from(f.rightSingularVectors.subMatrix(0, n - 1, 0, k - 1).to1DArray()) };
  if (mode === 'thin') return { s, U: thinU, Vt: transpose(thinV) };
  return { s, U: completeBasis(thinU), Vt: transpose(completeBasis(thinV)) };
}

function lu(A: Matrix): LuResult {
  checkSquare('lu', A);
  const n = A.rows;
  if (n === 0) return { LU: zeros(0, 0), perm: new Int32Array(0), rcond: 1 };
  const f = new LuDecomposition(toMl(A));
  const L = f.lowerTriangularMatrix;
  const U = f.upperTriangularMatrix;
  const LU = zeros(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) LU.data[i * n + j] = j < i ? L.get(i, j) : U.get(i, j);
  const perm = Int32Array.from(f.pivotPermutationVector);
  let singular = false;
  for (let i = 0; i < n; i++) if (LU.data[i * n + i] === 0) singular = true;
  const rcond = singular
    ? 0
    : rcondEstimate(
        oneNorm(valuesOf(A), n, n),
        n,
        (x) => luSolve(LU.data, perm, n, x, false),
        (x) => luSolve(LU.data, perm, n, x, true),
      );
  return { LU, perm, rcond };
}

/** The LU of A, or the SingularMatrixError a solve or an inverse raises. */
function luForSolve(op: string, A: Matrix, rcondMin: number): LuResult {
  const f = lu(A);
  const n = A.rows;
  for (let k = 0; k < n; k++) if (f.LU.data[k * n + k] === 0) throw new SingularMatrixError(singularMessage(op, A, { zeroPivot: k }));
  if (f.rcond < rcondMin) throw new SingularMatrixError(singularMessage(op, A, { rcond: f.rcond, rcondMin }));
  return f;
}

function solve(A: Matrix, B: Matrix | Float64Array, o: SolveOptions = {}): SolveResult {
  checkSquare('solve', A);
  const Bm = rightHandSide('solve', A, B);
  const rcondMin = tolerance('solve', 'rcondMin', o.rcondMin, EPS);
  const n = A.rows;
  const x = zeros(n, Bm.cols);
  if (n === 0) return { x, rcond: 1 };
  const f = luForSolve('solve', A, rcondMin);
  for (let j = 0; j < Bm.cols; j++) setColumn(x, j, luSolve(f.LU.data, f.perm, n, column(Bm, j), false));
  return { x, rcond: f.rcond };
}

function inv(A: Matrix, o: SolveOptions = {}): InvResult {
  checkSquare('inv', A);
  const rcondMin = tolerance('inv', 'rcondMin', o.rcondMin, EPS);
  const n = A.rows;
  const X = zeros(n, n);
  if (n === 0) return { inverse: X, rcond: 1 };
  const f = luForSolve('inv', A, rcondMin);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e.fill(0);
    e[j] = 1;
    setColumn(X, j, luSolve(f.LU.data, f.perm, n, e, false));
  }
  return { inverse: X, rcond: f.rcond };
}

/** L and its rcond, or NotPositiveDefiniteError naming `op`. */
function factorSpd(op: string, A: Matrix): CholeskyResult {
  const n = A.rows;
  if (n === 0) return { L: zeros(0, 0), rcond: 1 };
  const data = valuesOf(A);
  const f = choleskyLower(data, n);
  if (f.failedPivot >= 0) throw new NotPositiveDefiniteError(notPositiveDefiniteMessage(op, A, f.failedPivot + 1));
  const solveL = (x: Float64Array): Float64Array => choleskySolveFactored(f.L, n, x);
  return { L: { rows: n, cols: n, data: f.L }, rcond: rcondEstimate(symmetricOneNorm(data, n), n, solveL, solveL) };
}

function cholesky(A: Matrix): CholeskyResult {
  checkSquare('cholesky', A);
  return factorSpd('cholesky', A);
}

function solveSpd(A: Matrix, B: Matrix | Float64Array, o: SolveOptions = {}): SolveResult {
  checkSquare('solveSpd', A);
  const Bm = rightHandSide('solveSpd', A, B);
  const rcondMin = tolerance('solveSpd', 'rcondMin', o.rcondMin, EPS);
  const n = A.rows;
  const x = zeros(n, Bm.cols);
  if (n === 0) return { x, rcond: 1 };
  const f = factorSpd('solveSpd', A);
  if (f.rcond < rcondMin) throw new SingularMatrixError(singularMessage('solveSpd', A, { rcond: f.rcond, rcondMin }));
  for (let j = 0; j < Bm.cols; j++) setColumn(x, j, choleskySolveFactored(f.L.data, n, column(Bm, j)));
  return { x, rcond: f.rcond };
}

function lstsq(A: Matrix, B: Matrix | Float64Array, o: LstsqOptions = {}): LstsqResult {
  checkInput('lstsq', 'A', A);
  const Bm = rightHandSide('lstsq', A, B);
  const { rows: m, cols: n } = A;
  const k = Math.min(m, n);
  const rcond = tolerance('lstsq', 'rcond', o.rcond, EPS * Math.max(m, n));
  const x = zeros(n, Bm.cols);
  const residuals = new Float64Array(Bm.cols);
  let rank = 0;
  let s: Float64Array = new Float64Array(0);
  if (k > 0) {
    const f = svd(A, { vectors: 'thin' });
    s = f.s;
    const tol = rcond * s[0]!;
    for (const v of s) if (v > tol) rank++;
    // x = V·Σ⁺·Uᵀ·b over the singular values above the cutoff.
    for (let j = 0; j < Bm.cols; j++) {
      const b = column(Bm, j);
      const xj = new Float64Array(n);
      for (let c = 0; c < rank; c++) {
        let ub = 0;
        for (let i = 0; i < m; i++) ub += f.U!.data[i * k + c]! * b[i]!;
        const w = ub / s[c]!;
        for (let i = 0; i < n; i++) xj[i]! += w * f.Vt!.data[c * n + i]!;
      }
      setColumn(x, j, xj);
    }
  }
  if (rank === n && m > n) {
    const Av = valuesOf(A);
    for (let j = 0; j < Bm.cols; j++) {
      let r2 = 0;
      for (let i = 0; i < m; i++) {
        let r = -Bm.data[i * Bm.cols + j]!;
        for (let c = 0; c < n; c++) r += Av[i * n + c]! * x.data[c * Bm.cols + j]!;
        r2 += r * r;
      }
      residuals[j] = r2;
    }
  }
  return { x, residuals: rank === n && m > n ? residuals : new Float64Array(0), rank, s };
}

function kernelMatrix(kernel: KernelFn, P: Matrix, C: Matrix): Matrix {
  const k = checkKernelMatrix(kernel, P, C);
  const p = { rows: P.rows, cols: P.cols, data: valuesOf(P) };
  const c = { rows: C.rows, cols: C.cols, data: valuesOf(C) };
  return { rows: P.rows, cols: C.rows, data: loopKernelMatrix(k, p, c) };
}

function kernelPredict(kernel: KernelFn, P: Matrix, C: Matrix, W: Matrix): Matrix {
  const k = checkKernelPredict(kernel, P, C, W);
  const w = exact(W);
  return predictBlocks(kernelRows, (K, _W, out) => out.set(loopMatMul(K, w).data), k, exact(P), exact(C), w);
}

export const jsLinalg: Linalg = Object.freeze({
  name: 'js',
  matMul,
  gram,
  qr,
  eigh,
  svd,
  lu,
  solve,
  inv,
  cholesky,
  solveSpd,
  lstsq,
  kernelMatrix,
  kernelPredict,
} satisfies Linalg);
