import { SingularMatrixError } from '../../errors';
import type { Matrix } from '../../tensor';
import type { Kernels } from '../backend';
import { gram as jsGram, matTVec as jsMatTVec, matVec as jsMatVec } from '../blas';
import { predictInBlocks, rowSquaredNorms, type KernelFn } from '../kernel-rows';
import { localNewtonWith, logisticLossAtStepsWith, type LogisticPrimitives } from '../logistic';
import {
  checkCholesky,
  checkGram,
  checkKernelRows,
  checkLogisticGradient,
  checkLsGradient,
  checkLsGradientStacked,
  checkMatTVec,
  checkMatVec,
  checkRightHandSide,
  checkRowIndex,
  checkStacked,
} from '../shape-checks';
import type { CodaBlasBinding } from './binding';

/** BLAS wants a leading dimension of at least 1 even for an empty matrix. */
const ld = (n: number): number => Math.max(1, n);

/**
 * The kernels on OpenBLAS: the same signatures, argument checks and results (up to rounding) as
 * the plain loops. Empty matrices go to the plain loops, which define what an empty product is.
 */
export function nativeKernels(b: CodaBlasBinding): Kernels {
  const matVec = (A: Matrix, x: Float64Array, out: Float64Array, w = 1, accumulate = false): Float64Array => {
    checkMatVec(A, x, out);
    if (A.rows === 0 || A.cols === 0) return jsMatVec(A, x, out, w, accumulate);
    b.dgemv(false, A.rows, A.cols, w, A.data, A.cols, x, accumulate ? 1 : 0, out);
    return out;
  };

  const matTVec = (A: Matrix, v: Float64Array, out: Float64Array, w = 1, accumulate = false): Float64Array => {
    checkMatTVec(A, v, out);
    if (A.rows === 0 || A.cols === 0) return jsMatTVec(A, v, out, w, accumulate);
    b.dgemv(true, A.rows, A.cols, w, A.data, A.cols, v, accumulate ? 1 : 0, out);
    return out;
  };

  const lsGradient = (A: Matrix, rhs: Float64Array, x: Float64Array, out: Float64Array, w = 1, accumulate = false): Float64Array => {
    checkLsGradient(A, rhs, x, out);
    if (!accumulate) out.fill(0);
    b.lsGradient(A.data, A.rows, A.cols, rhs, x, 1, w, out);
    return out;
  };

  const lsGradientStacked = (A: Matrix, rhs: Float64Array, X: Float64Array, points: number, out: Float64Array, w = 1, accumulate = false): Float64Array => {
    checkLsGradientStacked(A, rhs, X, points, out);
    if (!accumulate) out.fill(0);
    b.lsGradient(A.data, A.rows, A.cols, rhs, X, points, w, out);
    return out;
  };

  const gram = (A: Matrix, d: Float64Array | undefined, out: Float64Array, w = 1, accumulate = false): Float64Array => {
    checkGram(A, d, out);
    if (A.cols === 0) return jsGram(A, d, out, w, accumulate);
    b.gram(A.data, A.rows, A.cols, d ?? null, w, out, accumulate);
    return out;
  };

  const matVecStacked = (M: Matrix, X: Float64Array, k: number, out: Float64Array): Float64Array => {
    checkStacked('matVecStacked', X, k, M.cols, out, M.rows);
    // out (k × rows) = X Mᵀ
    if (k > 0 && M.rows > 0) b.dgemm(false, true, k, M.rows, M.cols, 1, X, ld(M.cols), M.data, ld(M.cols), 0, out, M.rows);
    return out;
  };

  const matTVecStacked = (M: Matrix, V: Float64Array, k: number, out: Float64Array): Float64Array => {
    checkStacked('matTVecStacked', V, k, M.rows, out, M.cols);
    // out (k × cols) = V M
    if (k > 0 && M.cols > 0) b.dgemm(false, false, k, M.cols, M.rows, 1, V, ld(M.rows), M.data, M.cols, 0, out, M.cols);
    return out;
  };

  /** dgemm for the dot products of the block, then the kernel applied in place. */
  const kernelRows = (
    kernel: KernelFn,
    P: Matrix,
    rows: ArrayLike<number>,
    C: Matrix,
    out?: Float64Array,
    pNorms?: Float64Array,
    cNorms?: Float64Array,
  ): Float64Array => {
    checkKernelRows(P, rows, C, out, pNorms, cNorms);
    const m = rows.length;
    const n = C.rows;
    const d = C.cols;
    const res = out ?? new Float64Array(m * n);
    let contiguous = true;
    for (let r = 0; r < m; r++) {
      checkRowIndex(rows[r]!, P.rows);
      if (rows[r] !== rows[0]! + r) contiguous = false;
    }
    if (m === 0 || n === 0) return res;
    const pn = pNorms ?? rowSquaredNorms(P);
    const cn = cNorms ?? rowSquaredNorms(C);
    let Pb: Float64Array;
    let pnb: Float64Array;
    if (contiguous) {
      // Consecutive rows (a prediction block, a whole matrix): no copy.
      const first = rows[0]!;
      Pb = P.data.subarray(first * d, (first + m) * d);
      pnb = pn.subarray(first, first + m);
    } else {
      Pb = new Float64Array(m * d);
      pnb = new Float64Array(m);
      for (let r = 0; r < m; r++) {
        const i = rows[r]!;
        Pb.set(P.data.subarray(i * d, (i + 1) * d), r * d);
        pnb[r] = pn[i]!;
      }
    }
    b.dgemm(false, true, m, n, d, 1, Pb, ld(d), C.data, ld(d), 0, res, n);
    const gaussian = kernel.name === 'gaussian';
    const g = gaussian ? -1 / (2 * kernel.bandwidth * kernel.bandwidth) : -1 / kernel.bandwidth;
    b.kernelMap(res, m, n, n, pnb, cn, g, gaussian);
    return res;
  };

  const kernelPredict = (kernel: KernelFn, P: Matrix, C: Matrix, alpha: Float64Array, blockRows = 256): Float64Array =>
    predictInBlocks({ kernelRows, matVec }, kernel, P, C, alpha, blockRows);

  /** Margins, per-row loss and β, then Aᵀβ, on row blocks that stay in cache (one pass over A). */
  const logisticGradientInto = (A: Matrix, y: Float64Array, w: Float64Array, out: Float64Array, weight = 1): Float64Array => {
    checkLogisticGradient(A, y, w, out);
    const loss = b.logisticGradient(A.data, A.rows, A.cols, y, w, weight, out);
    out[A.cols]! += weight * loss;
    return out;
  };

  /** dpotrf + dpotrs; a matrix that is not positive definite is a SingularMatrixError as in the loops. */
  const solveSpd = (H: Float64Array, d: number, rhs: Float64Array): Float64Array => {
    checkCholesky(H, d);
    checkRightHandSide(rhs, d);
    const out = new Float64Array(d);
    const status = b.choleskySolve(H, d, rhs, out);
    if (status > 0) throw new SingularMatrixError(`cholesky: matrix is not positive definite (leading minor of order ${status})`);
    if (status < 0) throw new Error(`cholesky: LAPACK refused argument ${-status}`);
    return out;
  };

  const prims: LogisticPrimitives = { matVec, gram, solveSpd };
  return Object.freeze({
    name: 'native',
    matVec,
    matTVec,
    lsGradient,
    lsGradientStacked,
    gram,
    matVecStacked,
    matTVecStacked,
    kernelRows,
    kernelPredict,
    logisticGradientInto,
    logisticLossAtStepsInto: (A: Matrix, y: Float64Array, w: Float64Array, p: Float64Array, steps: Float64Array, out: Float64Array, weight = 1) =>
      logisticLossAtStepsWith(prims, A, y, w, p, steps, out, weight),
    localNewtonInto: (A: Matrix, y: Float64Array, w: Float64Array, g: Float64Array, lambda: number, out: Float64Array, weight = 1) =>
      localNewtonWith(prims, A, y, w, g, lambda, out, weight),
    solveSpd,
    allocate: (bytes: number) => b.allocate(bytes),
  } satisfies Kernels);
}
