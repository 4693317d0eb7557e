import { Rng } from '../../../shared/random';
import { matrix, type Matrix } from '../../../shared/tensor';

/** A seeded rows×cols matrix of N(0, 1) entries (the paper's test matrices). */
export function gaussian(rows: number, cols: number, seed: number): Matrix {
  const rng = new Rng(seed);
  return matrix(rows, cols, Float64Array.from({ length: rows * cols }, () => rng.normal()));
}

/** ‖X − Y‖_F / ‖Y‖_F */
export function relativeFrobenius(X: Matrix, Y: Matrix): number {
  let d = 0;
  let y = 0;
  for (let i = 0; i < Y.data.length; i++) {
    d += (X.data[i]! - Y.data[i]!) ** 2;
    y += Y.data[i]! ** 2;
  }
  return Math.sqrt(d / y);
}

/** The master's linear algebra inline (LAPACK when the addon is built, else ml-matrix): the references of the unit tests. */
export { inlineLa as la } from '../../helpers/linalg';
