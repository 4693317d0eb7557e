/**
 * Level-1/2 kernels on Float64Array. Plain loops: V8 compiles these tightly, and a faster backend
 * (WASM, native) can replace them later under the same signatures.
 */
import type { Matrix } from '../tensor';
import { ShapeError } from '../errors';

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
  if (x.length !== A.cols) throw new ShapeError(`matVec: A is ${A.rows}×${A.cols}, x has ${x.length}`);
  if (out.length !== A.rows) throw new ShapeError(`matVec: out has ${out.length}, A has ${A.rows} rows`);
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
  if (v.length !== A.rows) throw new ShapeError(`matTVec: A is ${A.rows}×${A.cols}, v has ${v.length}`);
  if (out.length !== A.cols) throw new ShapeError(`matTVec: out has ${out.length}, A has ${A.cols} columns`);
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
  if (x.length !== A.cols) throw new ShapeError(`lsGradient: A is ${A.rows}×${A.cols}, x has ${x.length}`);
  if (b.length !== A.rows) throw new ShapeError(`lsGradient: A has ${A.rows} rows, b has ${b.length}`);
  if (out.length !== A.cols) throw new ShapeError(`lsGradient: out has ${out.length}, A has ${A.cols} columns`);
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
 * Weighted Gram matrix: out (+)= w · Aᵀ diag(d) A  (cols×cols, row-major). `d` undefined means
 * the identity. Fills the upper triangle and mirrors it.
 */
export function gram(A: Matrix, d: Float64Array | undefined, out: Float64Array, w = 1, accumulate = false): Float64Array {
  const { rows, cols, data } = A;
  if (d && d.length !== rows) throw new ShapeError(`gram: A has ${rows} rows, d has ${d.length}`);
  if (out.length !== cols * cols) throw new ShapeError(`gram: out has ${out.length}, need ${cols * cols}`);
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
