import { ShapeError } from '../errors';
import type { Matrix } from '../tensor';

/**
 * A matrix in a SharedArrayBuffer: a compute thread reads it in place, where an ordinary
 * array is copied once on its way there. For the master's big operands (A itself), allocated
 * once when loaded. The caller must not write it while a call that reads it is out.
 */
export function sharedMatrix(rows: number, cols: number, values?: ArrayLike<number>): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) throw new ShapeError(`sharedMatrix: ${rows}×${cols} is not a shape`);
  const data = new Float64Array(new SharedArrayBuffer(rows * cols * Float64Array.BYTES_PER_ELEMENT));
  if (values !== undefined) {
    if (values.length !== rows * cols) throw new ShapeError(`sharedMatrix: ${rows}×${cols} needs ${rows * cols} values, got ${values.length}`);
    data.set(values);
  }
  return { rows, cols, data };
}
