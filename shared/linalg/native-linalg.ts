import { ConvergenceError, NotPositiveDefiniteError, ShapeError, SingularMatrixError } from '../errors';
import type { KernelFn } from '../kernels/kernel-rows';
import type { CodaBlasBinding, LapackOutcome } from '../kernels/native/binding';
import { nativeKernels } from '../kernels/native/native-kernels';
import { predictBlocks } from './kernel-blocks';
import type { Matrix } from '../tensor';
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
import type { CholeskyResult, EighOptions, GramOptions, EighResult, InvResult, Linalg, LstsqOptions, LstsqResult, LuResult, MatMulOptions, QrOptions, QrResult, SolveOptions, SolveResult, SvdOptions, SvdResult } from './types';

/** LAPACK refused one of its arguments: a bug on our side (the checks come first), never the user's. */
function lapackBug(op: string, info: number): Error {
  return new Error(`${op}: LAPACK refused its argument ${-info} (a Coda bug: the arguments are checked before the call)`);
}

function noConvergence(op: string, routine: string, info: number): ConvergenceError {
  return new ConvergenceError(`${op}: LAPACK ${routine} did not converge (info ${info}); the matrix may be badly scaled`);
}

/**
 * The Linalg interface on LAPACK through the addon (native/lapack.c): one LAPACK call per
 * operation, its `info` turned into a typed error here. Empty matrices are answered here (LAPACK
 * is not asked about them), with numpy's conventions.
 */
export function nativeLinalg(b: CodaBlasBinding): Linalg {
  const matMul = (A: Matrix, B: Matrix, o: MatMulOptions = {}): Matrix => {
    checkInput('matMul', 'A', A);
    checkInput('matMul', 'B', B);
    const [m, k] = o.transA ? [A.cols, A.rows] : [A.rows, A.cols];
    const [k2, n] = o.transB ? [B.cols, B.rows] : [B.rows, B.cols];
    if (k !== k2) throw new ShapeError(`matMul: op(A) is ${m}×${k}, op(B) is ${k2}×${n}`);
    const C = zeros(m, n);
    if (m > 0 && n > 0) b.dgemm(o.transA === true, o.transB === true, m, n, k, 1, valuesOf(A), Math.max(1, A.cols), valuesOf(B), Math.max(1, B.cols), 0, C.data, n);
    return C;
  };

  const gram = (A: Matrix, o: GramOptions = {}): Matrix => {
    checkInput('gram', 'A', A);
    const { d, w } = gramOptions(A, o);
    const G = zeros(A.cols, A.cols);
    if (A.cols > 0) b.gram(valuesOf(A), A.rows, A.cols, d ?? null, w, G.data, false);
    return G;
  };

  const qr = (A: Matrix, o: QrOptions = {}): QrResult => {
    checkInput('qr', 'A', A);
    const { rows: m, cols: n } = A;
    const k = Math.min(m, n);
    const pivoting = o.pivoting ?? true;
    const wantQ = o.q ?? true;
    const rtol = tolerance('qr', 'rtol', o.rtol, Math.max(m, n) * EPS);
    const R = zeros(k, n);
    const Q = wantQ ? zeros(m, k) : null;
    const perm = Int32Array.from({ length: n }, (_, j) => j);
    if (k > 0) {
      const info = b.qr(valuesOf(A), m, n, pivoting, wantQ, R.data, Q?.data ?? null, perm);
      if (info !== 0) throw lapackBug('qr', info);
    }
    return { Q, R, perm, ...rankOfR(R, rtol) };
  };

  const eigh = (A: Matrix, o: EighOptions = {}): EighResult => {
    checkSquare('eigh', A);
    const n = A.rows;
    const vectors = o.vectors ?? true;
    const values = new Float64Array(n);
    const V = vectors ? zeros(n, n) : null;
    if (n > 0) {
      const info = b.eigh(valuesOf(A), n, vectors, values, V?.data ?? null);
      if (info < 0) throw lapackBug('eigh', info);
      if (info > 0) throw noConvergence('eigh', 'dsyevd', info);
    }
    return { values, vectors: V };
  };

  const svd = (A: Matrix, o: SvdOptions = {}): SvdResult => {
    checkInput('svd', 'A', A);
    const { rows: m, cols: n } = A;
    const k = Math.min(m, n);
    const mode = o.vectors ?? 'thin';
    if (mode !== 'none' && mode !== 'thin' && mode !== 'full') throw new ShapeError(`svd: vectors must be none, thin or full, got ${String(mode)}`);
    const s = new Float64Array(k);
    if (k === 0) {
      // numpy: an empty A has no singular values; full U and Vt are identities.
      if (mode === 'none') return { s, U: null, Vt: null };
      return mode === 'full' ? { s, U: identity(m), Vt: identity(n) } : { s, U: zeros(m, 0), Vt: zeros(0, n) };
    }
    const U = mode === 'none' ? null : mode === 'full' ? zeros(m, m) : zeros(m, k);
    const Vt = mode === 'none' ? null : mode === 'full' ? zeros(n, n) : zeros(k, n);
    const info = b.svd(valuesOf(A), m, n, mode === 'none' ? 0 : mode === 'thin' ? 1 : 2, s, U?.data ?? null, Vt?.data ?? null);
    if (info < 0) throw lapackBug('svd', info);
    if (info > 0) throw noConvergence('svd', 'dgesdd', info);
    return { s, U, Vt };
  };

  const lu = (A: Matrix): LuResult => {
    checkSquare('lu', A);
    const n = A.rows;
    const LU = zeros(n, n);
    const perm = Int32Array.from({ length: n }, (_, i) => i);
    if (n === 0) return { LU, perm, rcond: 1 };
    const r = b.lu(valuesOf(A), n, LU.data, perm);
    if (r.info < 0) throw lapackBug('lu', r.info);
    return { LU, perm, rcond: r.info > 0 ? 0 : r.rcond };
  };

  /** A solve's outcome: the answer, or the SingularMatrixError naming why not. */
  const checkSolve = (op: string, A: Matrix, r: LapackOutcome, rcondMin: number, spd: boolean): void => {
    if (r.info < 0) throw lapackBug(op, r.info);
    if (r.info > 0) {
      if (spd) throw new NotPositiveDefiniteError(notPositiveDefiniteMessage(op, A, r.info));
      throw new SingularMatrixError(singularMessage(op, A, { zeroPivot: r.info - 1 }));
    }
    if (r.rcond < rcondMin) throw new SingularMatrixError(singularMessage(op, A, { rcond: r.rcond, rcondMin }));
  };

  const solveWith =
    (op: 'solve' | 'solveSpd') =>
    (A: Matrix, B: Matrix | Float64Array, o: SolveOptions = {}): SolveResult => {
      checkSquare(op, A);
      const Bm = rightHandSide(op, A, B);
      const rcondMin = tolerance(op, 'rcondMin', o.rcondMin, EPS);
      const n = A.rows;
      if (n === 0) return { x: zeros(0, Bm.cols), rcond: 1 };
      // No right-hand side: one zero column, so the refusal is the same as with one.
      const rhs = Bm.cols === 0 ? zeros(n, 1) : Bm;
      const x = zeros(n, rhs.cols);
      const r = (op === 'solve' ? b.solve : b.solveSpd)(valuesOf(A), n, valuesOf(rhs), rhs.cols, x.data, rcondMin);
      checkSolve(op, A, r, rcondMin, op === 'solveSpd');
      return { x: Bm.cols === 0 ? zeros(n, 0) : x, rcond: r.rcond };
    };

  const inv = (A: Matrix, o: SolveOptions = {}): InvResult => {
    checkSquare('inv', A);
    const rcondMin = tolerance('inv', 'rcondMin', o.rcondMin, EPS);
    const n = A.rows;
    const X = zeros(n, n);
    if (n === 0) return { inverse: X, rcond: 1 };
    const r = b.inv(valuesOf(A), n, X.data, rcondMin);
    checkSolve('inv', A, r, rcondMin, false);
    return { inverse: X, rcond: r.rcond };
  };

  const cholesky = (A: Matrix): CholeskyResult => {
    checkSquare('cholesky', A);
    const n = A.rows;
    const L = zeros(n, n);
    if (n === 0) return { L, rcond: 1 };
    const r = b.cholesky(valuesOf(A), n, L.data);
    if (r.info < 0) throw lapackBug('cholesky', r.info);
    if (r.info > 0) throw new NotPositiveDefiniteError(notPositiveDefiniteMessage('cholesky', A, r.info));
    return { L, rcond: r.rcond };
  };

  const lstsq = (A: Matrix, B: Matrix | Float64Array, o: LstsqOptions = {}): LstsqResult => {
    checkInput('lstsq', 'A', A);
    const Bm = rightHandSide('lstsq', A, B);
    const { rows: m, cols: n } = A;
    const k = Math.min(m, n);
    const rcond = tolerance('lstsq', 'rcond', o.rcond, EPS * Math.max(m, n));
    const x = zeros(n, Bm.cols);
    const s = new Float64Array(k);
    const residuals = new Float64Array(Bm.cols);
    let rank = 0;
    if (k > 0) {
      // No right-hand side: one zero column, for A's singular values and rank all the same.
      const rhs = Bm.cols === 0 ? zeros(m, 1) : Bm;
      const xr = Bm.cols === 0 ? zeros(n, 1) : x;
      const rr = Bm.cols === 0 ? new Float64Array(1) : residuals;
      const r = b.lstsq(valuesOf(A), m, n, valuesOf(rhs), rhs.cols, rcond, xr.data, s, rr);
      if (r.info < 0) throw lapackBug('lstsq', r.info);
      if (r.info > 0) throw noConvergence('lstsq', 'dgelsd', r.info);
      rank = r.rank;
    } else {
      // n = 0: x is empty and the residual is all of B; m = 0: nothing to fit.
      const Bv = valuesOf(Bm);
      for (let i = 0; i < m; i++) for (let j = 0; j < Bm.cols; j++) residuals[j]! += Bv[i * Bm.cols + j]! ** 2;
    }
    return { x, residuals: rank === n && m > n ? residuals : new Float64Array(0), rank, s };
  };

  const kernels = nativeKernels(b);
  const kernelMatrix = (kernel: KernelFn, P: Matrix, C: Matrix): Matrix => {
    const k = checkKernelMatrix(kernel, P, C);
    const p = { rows: P.rows, cols: P.cols, data: valuesOf(P) };
    const rows = Int32Array.from({ length: P.rows }, (_, i) => i);
    return { rows: P.rows, cols: C.rows, data: kernels.kernelRows(k, p, rows, { rows: C.rows, cols: C.cols, data: valuesOf(C) }) };
  };

  const kernelPredict = (kernel: KernelFn, P: Matrix, C: Matrix, W: Matrix): Matrix => {
    const k = checkKernelPredict(kernel, P, C, W);
    const w = exact(W);
    const multiply = (K: Matrix, Wm: Matrix, out: Float64Array): void => b.dgemm(false, false, K.rows, Wm.cols, K.cols, 1, K.data, Math.max(1, K.cols), Wm.data, Math.max(1, Wm.cols), 0, out, Math.max(1, Wm.cols));
    return predictBlocks(kernels.kernelRows, multiply, k, exact(P), exact(C), w);
  };

  return Object.freeze({
    name: 'native',
    matMul,
    gram,
    qr,
    eigh,
    svd,
    lu,
    solve: solveWith('solve'),
    inv,
    cholesky,
    solveSpd: solveWith('solveSpd'),
    lstsq,
    kernelMatrix,
    kernelPredict,
  } satisfies Linalg);
}
