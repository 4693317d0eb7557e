import { ShapeError } from '../errors';
import { rowSquaredNorms, type kernelRows as KernelRowsFn } from '../kernels/kernel-rows';
import type { Matrix } from '../tensor';
import { zeros } from './checks';

/** Rows of the kernel matrix formed at a time by kernelPredict (256 × 10⁴ centers: 20 MB). */
export const PREDICT_BLOCK_ROWS = 256;

/**
 * F = K(P, C)·W in blocks of rows, never the whole K: each block of K by the backend's kernelRows,
 * then its product with W by `multiply` (dgemm, or the plain loop). Both backends share it.
 */
export function predictBlocks(
  kernelRows: typeof KernelRowsFn,
  multiply: (K: Matrix, W: Matrix, out: Float64Array) => void,
  kernel: Parameters<typeof KernelRowsFn>[0],
  P: Matrix,
  C: Matrix,
  W: Matrix,
): Matrix {
  if (W.rows !== C.rows) throw new ShapeError(`kernelPredict: W has ${W.rows} rows for ${C.rows} centers`);
  const F = zeros(P.rows, W.cols);
  if (P.rows === 0 || W.cols === 0) return F;
  const pn = rowSquaredNorms(P);
  const cn = rowSquaredNorms(C);
  const buf = new Float64Array(Math.min(PREDICT_BLOCK_ROWS, P.rows) * C.rows);
  for (let start = 0; start < P.rows; start += PREDICT_BLOCK_ROWS) {
    const end = Math.min(P.rows, start + PREDICT_BLOCK_ROWS);
    const rows = Int32Array.from({ length: end - start }, (_, r) => start + r);
    kernelRows(kernel, P, rows, C, buf, pn, cn);
    multiply({ rows: rows.length, cols: C.rows, data: buf.subarray(0, rows.length * C.rows) }, W, F.data.subarray(start * W.cols, end * W.cols));
  }
  return F;
}
