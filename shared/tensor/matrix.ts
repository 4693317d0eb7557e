import { InputError, ShapeError } from '../errors';

/** A dense row-major float64 matrix. Vectors are plain Float64Arrays. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function matrix(rows: number, cols: number, data?: Float64Array): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new ShapeError(`matrix shape must be non-negative integers, got ${rows}×${cols}`);
  }
  const d = data ?? new Float64Array(rows * cols);
  if (d.length !== rows * cols) {
    throw new ShapeError(`matrix ${rows}×${cols} needs ${rows * cols} values, got ${d.length}`);
  }
  return { rows, cols, data: d };
}

/** Rows [start, end) as a view sharing memory with `m`. */
export function rowSlice(m: Matrix, start: number, end: number): Matrix {
  return { rows: end - start, cols: m.cols, data: m.data.subarray(start * m.cols, end * m.cols) };
}

/** Throws an InputError naming `what` and the first position of a NaN or infinity. */
export function assertFinite(values: ArrayLike<number>, what: string, cols?: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      const where = cols ? `row ${Math.floor(i / cols)}, column ${i % cols}` : `index ${i}`;
      throw new InputError(`${what} contains ${Number.isNaN(v) ? 'NaN' : String(v)} at ${where}`);
    }
  }
}

export function transpose(m: Matrix): Matrix {
  const out = new Float64Array(m.rows * m.cols);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) out[j * m.rows + i] = m.data[i * m.cols + j]!;
  }
  return { rows: m.cols, cols: m.rows, data: out };
}
