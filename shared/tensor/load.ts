import { extname } from 'node:path';
import { InputError, ShapeError } from '../errors';
import { readCsv } from './csv';
import { assertFinite, type Matrix } from './matrix';
import { readNpy, readNpyShape } from './npy';

/** Reads a matrix from .npy or .csv; a 1-D array becomes a column. Rejects NaN and infinities. */
export function loadMatrix(path: string): Matrix {
  const ext = extname(path).toLowerCase();
  let m: Matrix;
  if (ext === '.npy') {
    const a = readNpy(path);
    if (a.shape.length === 1) m = { rows: a.shape[0]!, cols: 1, data: a.data };
    else if (a.shape.length === 2) m = { rows: a.shape[0]!, cols: a.shape[1]!, data: a.data };
    else throw new ShapeError(`${path}: expected a 1-D or 2-D array, got shape (${a.shape.join(', ')})`);
  } else if (ext === '.csv' || ext === '.txt') {
    m = readCsv(path);
  } else {
    throw new InputError(`${path}: unknown data format '${ext}' (use .npy or .csv)`);
  }
  assertFinite(m.data, path, m.cols);
  return m;
}

/**
 * A data file's shape as loadMatrix would see it (rows × cols; a 1-D array is a column), from a
 * .npy header without reading the data; undefined for text formats, whose shape is known only
 * once they are parsed.
 */
export function matrixShape(path: string): { rows: number; cols: number } | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv' || ext === '.txt') return undefined;
  if (ext !== '.npy') throw new InputError(`${path}: unknown data format '${ext}' (use .npy or .csv)`);
  const shape = readNpyShape(path);
  if (shape.length === 1) return { rows: shape[0]!, cols: 1 };
  if (shape.length === 2) return { rows: shape[0]!, cols: shape[1]! };
  throw new ShapeError(`${path}: expected a 1-D or 2-D array, got shape (${shape.join(', ')})`);
}

/** Reads a vector: a 1-D array, or a matrix with one column or one row. */
export function loadVector(path: string): Float64Array {
  const m = loadMatrix(path);
  if (m.cols !== 1 && m.rows !== 1) {
    throw new ShapeError(`${path}: expected a vector, got a ${m.rows}×${m.cols} matrix`);
  }
  return m.data;
}
