import { InputError } from '../../shared/errors';

/** The smallest power of two ≥ n (n ≥ 1). */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * In-place fast Walsh-Hadamard transform of the rows of a row-major n×cols matrix (n a power of
 * two): data ← H_n·data with H_n the Sylvester Hadamard matrix (entries ±1), scaled by `scale`
 * (1/√n makes it orthonormal). O(n log n · cols); whole rows are combined so memory is walked in
 * order, which is what makes this fast on a row-major layout.
 */
export function fwhtRows(data: Float64Array, n: number, cols: number, scale = 1): void {
  if (n < 1 || (n & (n - 1)) !== 0) throw new InputError(`fwht: the row count must be a power of two, got ${n}`);
  if (data.length !== n * cols) throw new InputError(`fwht: ${n}×${cols} needs ${n * cols} values, got ${data.length}`);
  for (let h = 1; h < n; h *= 2) {
    for (let i = 0; i < n; i += 2 * h) {
      for (let j = i; j < i + h; j++) {
        const a = j * cols;
        const b = (j + h) * cols;
        for (let c = 0; c < cols; c++) {
          const u = data[a + c]!;
          const v = data[b + c]!;
          data[a + c] = u + v;
          data[b + c] = u - v;
        }
      }
    }
  }
  if (scale !== 1) for (let i = 0; i < data.length; i++) data[i]! *= scale;
}
