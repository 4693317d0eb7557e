import type { SyntheticSpec } from '../../shared/config';
import { Rng } from '../../shared/random';
import type { Matrix } from '../../shared/tensor';

const plainArray = (length: number): Float64Array => new Float64Array(length);

/**
 * Seeded least-squares problems: A with iid Gaussian or Student-t entries (heavy tails make
 * block leverage scores uneven, the leverage paper's setting), a planted solution x ~ N(0, I),
 * and b = A·x + noise·N(0, I).
 */
export function syntheticLeastSquares(spec: SyntheticSpec, alloc: (length: number) => Float64Array = plainArray): { A: Matrix; b: Float64Array; xPlanted: Float64Array } {
  const rng = new Rng(spec.seed);
  const { rows, cols } = spec;
  // `alloc`: where A's values live (shared memory when generated on the master's compute thread).
  const A = alloc(rows * cols);
  const draw = spec.kind === 'gaussian' ? () => rng.normal() : () => rng.studentT(spec.df);
  for (let i = 0; i < A.length; i++) A[i] = draw();
  const xPlanted = new Float64Array(cols);
  for (let j = 0; j < cols; j++) xPlanted[j] = rng.normal();
  const b = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += A[i * cols + j]! * xPlanted[j]!;
    b[i] = s + spec.noise * rng.normal();
  }
  return { A: { rows, cols, data: A }, b, xPlanted };
}
