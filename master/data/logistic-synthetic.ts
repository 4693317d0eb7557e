import type { LogisticSyntheticSpec } from './logistic-schema';
import { sigmoid } from '../../shared/kernels';
import { Rng } from '../../shared/random';
import type { Matrix } from '../../shared/tensor';

const plainArray = (length: number): Float64Array => new Float64Array(length);

/**
 * Seeded logistic data: rows xᵢ ~ N(0, Σ/d) with Σ the AR(1) covariance ρ^|j−k| (ρ = 0: identity),
 * a planted w with ‖w‖ = signal, and labels yᵢ = +1 with probability σ(xᵢᵀw) — so the classes
 * overlap (no separating hyperplane; the optimum exists for any λ ≥ 0).
 */
export function syntheticLogistic(spec: LogisticSyntheticSpec, alloc: (length: number) => Float64Array = plainArray): { X: Matrix; y: Float64Array; wPlanted: Float64Array } {
  const { rows, cols, correlation: rho } = spec;
  const rng = new Rng(spec.seed);
  // `alloc`: where X's values live (shared memory when generated on the master's compute thread).
  const X = alloc(rows * cols);
  const s = 1 / Math.sqrt(cols);
  const innov = Math.sqrt(1 - rho * rho);
  for (let i = 0; i < rows; i++) {
    let prev = rng.normal();
    X[i * cols] = s * prev;
    for (let j = 1; j < cols; j++) {
      prev = rho * prev + innov * rng.normal();
      X[i * cols + j] = s * prev;
    }
  }
  const w = Float64Array.from({ length: cols }, () => rng.normal());
  let nw = 0;
  for (const v of w) nw += v * v;
  const f = spec.signal / Math.sqrt(nw || 1);
  for (let j = 0; j < cols; j++) w[j]! *= f * Math.sqrt(cols);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let m = 0;
    for (let j = 0; j < cols; j++) m += X[i * cols + j]! * w[j]!;
    y[i] = rng.uniform() < sigmoid(m) ? 1 : -1;
  }
  return { X: { rows, cols, data: X }, y, wPlanted: w };
}
