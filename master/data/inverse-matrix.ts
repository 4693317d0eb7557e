import { Rng } from '../../shared/random';
import { loadMatrix, type Matrix } from '../../shared/tensor';

/** Where an inverse job's A comes from: a float64 .npy file, or iid N(0, 1) entries from a seed. */
export interface InverseMatrixSpec {
  A?: string | undefined;
  synthetic?: { rows: number; cols: number; seed: number } | undefined;
}

/** The inverse job's A: the file's, or the seeded Gaussian one (`alloc`: where its values live). */
export function loadInverseMatrix(data: InverseMatrixSpec, alloc: (length: number) => Float64Array = (n) => new Float64Array(n)): Matrix {
  if (data.A) return loadMatrix(data.A);
  const s = data.synthetic!;
  const rng = new Rng(s.seed);
  const values = alloc(s.rows * s.cols);
  for (let i = 0; i < values.length; i++) values[i] = rng.normal();
  return { rows: s.rows, cols: s.cols, data: values };
}
