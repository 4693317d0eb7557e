/**
 * Level-1/2 kernels on Float64Array as plain loops: the reference every faster backend is tested
 * against, and the fallback where the native one (./native, OpenBLAS) does not load. The native
 * backend implements the hot ones under the same signatures (see ./backend.ts).
 */
import type { Matrix } from '../tensor';
import { ShapeError } from '../errors';
import { checkGram, checkLsGradient, checkLsGradientStacked, checkMatTVec, checkMatVec, checkStacked } from './shape-checks';

export function dot(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) throw new ShapeError(`dot: lengths ${a.length} and ${b.length} differ`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function norm2(a: Float64Array): number {
  // Scaled to avoid overflow/underflow on extreme values.
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]!));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]! / scale;
    s += v * v;
  }
  return scale * Math.sqrt(s);
}

/** y += alpha * x */
export function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  if (x.length !== y.length) throw new ShapeError(`axpy: lengths ${x.length} and ${y.length} differ`);
  for (let i = 0; i < x.length; i++) y[i]! += alpha * x[i]!;
}

export function scale(alpha: number, x: Float64Array): void {
  for (let i = 0; i < x.length; i++) x[i]! *= alpha;
}

/** out (+)= w · A x  */
export function matVec(A: Matrix, x: Float64Array, out: Float64Array, w = 1, accumulate = false): Float64Array {
  checkMatVec(A, x, out);
  const { rows, cols, data } = A;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    const off = i * cols;
    for (let j = 0; j < cols; j++) s += data[off + j]! * x[j]!;
    out[i] = accumulate ? out[i]! + w * s : w * s;
  }
  return out;
}

/** out (+)= w · Aᵀ v  (row-oriented so memory is walked in order) */
export function matTVec(A: Matrix, v: Float64Array, out: Float64Array, w = 1, accumulate = false): Float64Array {
  checkMatTVec(A, v, out);
  if (!accumulate) out.fill(0);
  const { rows, cols, data } = A;
  for (let i = 0; i < rows; i++) {
    const s = w * v[i]!;
    if (s === 0) continue;
    const off = i * cols;
    for (let j = 0; j < cols; j++) out[j]! += s * data[off + j]!;
  }
  return out;
}

/**
 * Least-squares partial gradient: out (+)= w · Aᵢᵀ(Aᵢx − bᵢ), fused so the residual of a row is
 * used as soon as it is formed (no temporary of length rows).
 */
export function lsGradient(
  A: Matrix,
  b: Float64Array,
  x: Float64Array,
  out: Float64Array,
  w = 1,
  accumulate = false,
): Float64Array {
  checkLsGradient(A, b, x, out);
  if (!accumulate) out.fill(0);
  const { rows, cols, data } = A;
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    let r = -b[i]!;
    for (let j = 0; j < cols; j++) r += data[off + j]! * x[j]!;
    r *= w;
    if (r === 0) continue;
    for (let j = 0; j < cols; j++) out[j]! += r * data[off + j]!;
  }
  return out;
}

/**
 * The gradients at `points` iterates stacked row after row in X (points × cols): row p of out
 * (+)= w · Aᵀ(A x_p − b). One task serves several iterates (e.g. several step sizes).
 */
export function lsGradientStacked(
  A: Matrix,
  b: Float64Array,
  X: Float64Array,
  points: number,
  out: Float64Array,
  w = 1,
  accumulate = false,
): Float64Array {
  checkLsGradientStacked(A, b, X, points, out);
  const d = A.cols;
  for (let p = 0; p < points; p++) lsGradient(A, b, X.subarray(p * d, (p + 1) * d), out.subarray(p * d, (p + 1) * d), w, accumulate);
  return out;
}

/** out (k × M.rows): row r = M · (row r of X), for k vectors stacked in X (k × M.cols). */
export function matVecStacked(M: Matrix, X: Float64Array, k: number, out: Float64Array): Float64Array {
  checkStacked('matVecStacked', X, k, M.cols, out, M.rows);
  const { rows, cols } = M;
  for (let r = 0; r < k; r++) matVec(M, X.subarray(r * cols, (r + 1) * cols), out.subarray(r * rows, (r + 1) * rows));
  return out;
}

/** out (k × M.cols): row r = Mᵀ · (row r of V), for k vectors stacked in V (k × M.rows). */
export function matTVecStacked(M: Matrix, V: Float64Array, k: number, out: Float64Array): Float64Array {
  checkStacked('matTVecStacked', V, k, M.rows, out, M.cols);
  const { rows, cols } = M;
  for (let r = 0; r < k; r++) matTVec(M, V.subarray(r * rows, (r + 1) * rows), out.subarray(r * cols, (r + 1) * cols));
  return out;
}

/**
 * Weighted Gram matrix: out (+)= w · Aᵀ diag(d) A  (cols×cols, row-major). `d` undefined means
 * the identity. Fills the upper triangle and mirrors it.
 */
export function gram(A: Matrix, d: Float64Array | undefined, out: Float64Array, w = 1, accumulate = false): Float64Array {
  checkGram(A, d, out);
  const { rows, cols, data } = A;
  const acc = new Float64Array(cols * cols);
  for (let i = 0; i < rows; i++) {
    const off = i * cols;
    const di = w * (d ? d[i]! : 1);
    if (di === 0) continue;
    for (let p = 0; p < cols; p++) {
      const ap = di * data[off + p]!;
      if (ap === 0) continue;
      const rowOff = p * cols;
      for (let q = p; q < cols; q++) acc[rowOff + q]! += ap * data[off + q]!;
    }
  }
  for (let p = 0; p < cols; p++) {
    for (let q = p; q < cols; q++) {
      const v = acc[p * cols + q]!;
      if (accumulate) {
        out[p * cols + q]! += v;
        if (q !== p) out[q * cols + p]! += v;
      } else {
        out[p * cols + q] = v;
        out[q * cols + p] = v;
      }
    }
  }
  return out;
}

/** C = A B (dense, small: used at the master for d×d work). */
export function matMul(A: Matrix, B: Matrix): Matrix {
  if (A.cols !== B.rows) throw new ShapeError(`matMul: ${A.rows}×${A.cols} times ${B.rows}×${B.cols}`);
  const out = new Float64Array(A.rows * B.cols);
  for (let i = 0; i < A.rows; i++) {
    for (let k = 0; k < A.cols; k++) {
      const a = A.data[i * A.cols + k]!;
      if (a === 0) continue;
      const bo = k * B.cols;
      const oo = i * B.cols;
      for (let j = 0; j < B.cols; j++) out[oo + j]! += a * B.data[bo + j]!;
    }
  }
  return { rows: A.rows, cols: B.cols, data: out };
}
