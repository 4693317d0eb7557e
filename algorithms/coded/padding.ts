import type { Matrix } from '../../shared/tensor';

const plainArray = (length: number): Float64Array => new Float64Array(length);

/**
 * M with zero rows appended up to a multiple of `multiple` (mds needs equal blocks); M itself when
 * it has such rows already. `alloc`: where a padded copy lives (zero-filled memory of that length).
 */
export function padRows(M: Matrix, multiple: number, alloc: (length: number) => Float64Array = plainArray): Matrix {
  const rows = Math.ceil(M.rows / multiple) * multiple;
  if (rows === M.rows) return M;
  const data = alloc(rows * M.cols);
  data.set(M.data);
  return { rows, cols: M.cols, data };
}

/** Mᵀ with zero rows appended up to a multiple of `multiple`, built in one pass (`alloc`: as padRows'). */
export function paddedTranspose(M: Matrix, multiple: number, alloc: (length: number) => Float64Array = plainArray): Matrix {
  const rows = Math.ceil(M.cols / multiple) * multiple;
  const data = alloc(rows * M.rows);
  for (let i = 0; i < M.rows; i++) for (let j = 0; j < M.cols; j++) data[j * M.rows + i] = M.data[i * M.cols + j]!;
  return { rows, cols: M.rows, data };
}

/** K+1 offsets of K equal blocks of `rows` (rows a multiple of K). */
export function equalBlockStarts(rows: number, K: number): number[] {
  return Array.from({ length: K + 1 }, (_, j) => (j * rows) / K);
}
