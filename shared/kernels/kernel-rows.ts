import { InputError, ShapeError } from '../errors';
import type { Matrix } from '../tensor';
import { matVec } from './blas';
import { checkKernelRows, checkRowIndex } from './shape-checks';

/**
 * Kernel functions of kernel regression, evaluated a block of rows at a time:
 *   gaussian   k(x, z) = exp(−‖x − z‖² / (2h²))
 *   laplacian  k(x, z) = exp(−‖x − z‖ / h)
 * Both have k(x, x) = 1, so EigenPro's β = max_i k(x_i, x_i) is 1.
 */
export type KernelName = 'gaussian' | 'laplacian';
export const KERNEL_NAMES: readonly KernelName[] = ['gaussian', 'laplacian'];

export interface KernelFn {
  name: KernelName;
  bandwidth: number;
}

export function checkKernel(k: { name: string; bandwidth: number }): KernelFn {
  if (!KERNEL_NAMES.includes(k.name as KernelName)) throw new InputError(`unknown kernel '${k.name}' (known: ${KERNEL_NAMES.join(', ')})`);
  if (!(k.bandwidth > 0) || !Number.isFinite(k.bandwidth)) throw new InputError(`kernel bandwidth must be a positive number, got ${k.bandwidth}`);
  return { name: k.name as KernelName, bandwidth: k.bandwidth };
}

/** Squared norms of the rows of X (computed once per center set, reused by every kernel block). */
export function rowSquaredNorms(X: Matrix): Float64Array {
  const out = new Float64Array(X.rows);
  for (let i = 0; i < X.rows; i++) {
    let s = 0;
    const o = i * X.cols;
    for (let j = 0; j < X.cols; j++) s += X.data[o + j]! * X.data[o + j]!;
    out[i] = s;
  }
  return out;
}

/**
 * out[r, j] = k(P_{rows[r]}, C_j) for the listed rows of P against every row of C: an m×n block,
 * row-major. The squared distance is ‖p‖² + ‖c‖² − 2p·c (one dot product per entry instead of a
 * difference per coordinate), clamped at 0 against rounding.
 */
export function kernelRows(
  kernel: KernelFn,
  P: Matrix,
  rows: ArrayLike<number>,
  C: Matrix,
  out?: Float64Array,
  pNorms?: Float64Array,
  cNorms?: Float64Array,
): Float64Array {
  checkKernelRows(P, rows, C, out, pNorms, cNorms);
  const m = rows.length;
  const n = C.rows;
  const d = C.cols;
  const res = out ?? new Float64Array(m * n);
  const pn = pNorms ?? rowSquaredNorms(P);
  const cn = cNorms ?? rowSquaredNorms(C);
  const cd = C.data;
  const gaussian = kernel.name === 'gaussian';
  const g = gaussian ? -1 / (2 * kernel.bandwidth * kernel.bandwidth) : -1 / kernel.bandwidth;
  for (let r = 0; r < m; r++) {
    const i = rows[r]!;
    checkRowIndex(i, P.rows);
    const po = i * d;
    const pi = pn[i]!;
    const ro = r * n;
    for (let j = 0; j < n; j++) {
      let dotv = 0;
      const co = j * d;
      for (let t = 0; t < d; t++) dotv += P.data[po + t]! * cd[co + t]!;
      let d2 = pi + cn[j]! - 2 * dotv;
      if (d2 < 0) d2 = 0;
      res[ro + j] = Math.exp(gaussian ? g * d2 : g * Math.sqrt(d2));
    }
  }
  return res;
}

/** The full kernel matrix K(P, C) (every row of P), m×n row-major. */
export function kernelMatrix(kernel: KernelFn, P: Matrix, C: Matrix): Float64Array {
  return kernelRows(kernel, P, Array.from({ length: P.rows }, (_, i) => i), C);
}

/** Predictions f(x) = Σ_j α_j k(x, c_j) for every row of P, computed in blocks of rows. */
export function kernelPredict(kernel: KernelFn, P: Matrix, C: Matrix, alpha: Float64Array, blockRows = 256): Float64Array {
  return predictInBlocks({ kernelRows, matVec }, kernel, P, C, alpha, blockRows);
}

/** kernelPredict on a backend's kernel block and matrix-vector product (both backends share it). */
export function predictInBlocks(
  k: { kernelRows: typeof kernelRows; matVec: typeof matVec },
  kernel: KernelFn,
  P: Matrix,
  C: Matrix,
  alpha: Float64Array,
  blockRows: number,
): Float64Array {
  if (alpha.length !== C.rows) throw new ShapeError(`kernelPredict: ${alpha.length} weights for ${C.rows} centers`);
  if (!(Number.isInteger(blockRows) && blockRows >= 1)) throw new ShapeError(`kernelPredict: block of ${blockRows} rows`);
  const out = new Float64Array(P.rows);
  const pn = rowSquaredNorms(P);
  const cn = rowSquaredNorms(C);
  const buf = new Float64Array(Math.min(blockRows, P.rows) * C.rows);
  for (let start = 0; start < P.rows; start += blockRows) {
    const end = Math.min(P.rows, start + blockRows);
    const rows = Array.from({ length: end - start }, (_, r) => start + r);
    k.kernelRows(kernel, P, rows, C, buf, pn, cn);
    const block: Matrix = { rows: rows.length, cols: C.rows, data: buf.subarray(0, rows.length * C.rows) };
    k.matVec(block, alpha, out.subarray(start, end));
  }
  return out;
}
