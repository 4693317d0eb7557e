import { ShapeError } from '../../shared/errors';
import type { Rng } from '../../shared/random';
import { matrix, type Matrix } from '../../shared/tensor';
import type { Sketched } from './types';

/**
 * Gaussian sketch S = Θ/√r, Θ an r×N matrix of independent N(0, 1): returns S·A and S·b, so that
 * E[SᵀS] = I_N. Θ is drawn a row at a time and never stored: O(r·N) memory is the reason the paper
 * calls it expensive, and O(r·N·d) time is what it costs. Call once per iteration for the
 * "updated sketches" comparator of the leverage paper's Table I.
 */
export function gaussianSketch(A: Matrix, b: Float64Array, r: number, rng: Rng): Sketched {
  if (b.length !== A.rows) throw new ShapeError(`gaussianSketch: A has ${A.rows} rows, b has ${b.length}`);
  if (!Number.isInteger(r) || r < 1) throw new ShapeError(`gaussianSketch: r must be a positive integer, got ${r}`);
  const { rows: N, cols: d, data } = A;
  const SA = new Float64Array(r * d);
  const Sb = new Float64Array(r);
  const theta = new Float64Array(N);
  const s = 1 / Math.sqrt(r);
  for (let i = 0; i < r; i++) {
    for (let k = 0; k < N; k++) theta[k] = rng.normal() * s;
    const out = i * d;
    let sb = 0;
    for (let k = 0; k < N; k++) {
      const t = theta[k]!;
      sb += t * b[k]!;
      const off = k * d;
      for (let c = 0; c < d; c++) SA[out + c]! += t * data[off + c]!;
    }
    Sb[i] = sb;
  }
  return { SA: matrix(r, d, SA), Sb };
}
