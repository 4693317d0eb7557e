import { InputError } from '../../shared/errors';

/**
 * The expansion network of the leverage paper (§III, eqs. 18-19): how many replicas r_i of each
 * block to place so that uniform sampling of the first q of m answers emulates sampling blocks
 * by their leverage scores Π.
 *
 * 1. Ending time T: by then about q(T) = F(T)·m of the m slots have answered, so a slot is still
 *    out with probability φ(T) = 1 − F(T) = 1 − q/m (the runtime distribution enters only through
 *    this; given a shifted exponential model, T = F⁻¹(q/m) is reported in seconds).
 * 2. Eq. 19: block i is heard by T with probability 1 − φ^{r_i}; matching that to Π_i gives
 *    r̂_i = round(log(1 − Π_i)/log φ), kept ≥ 1 for Π_i > 0 (a block never heard would make the
 *    estimator biased).
 * 3. Adjusted to the m slots the cluster offers: the paper's r̃_i = r̂_i ± α_i with Σ r̃ = m and
 *    Σ |Π_l − r̃_l/m| minimal. That objective is separable and convex in the integers r̃_l, so
 *    starting every positive block at one replica and adding the rest one at a time to the block
 *    with the largest deficit Π_l·m − r̃_l solves it exactly; the paper's ⌊m/R̂⌋·r̂ scaling is one
 *    feasible point and is never better. (With Π_i ≈ 1/K and q ≪ m, eq. 19 gives r̂ ≡ 1: the
 *    runtime distribution decides T, the slots decide the replication.)
 * The induced distribution is Π̃_i = r̃_i/m; its distortion d(Π, Π̃) = (1/K)·Σ|Π_i − Π̃_i|.
 */

export interface RuntimeModel {
  /** Shifted exponential: F(t) = 1 − exp(−rate·(t − shift)) for t ≥ shift. */
  shift: number;
  rate: number;
}

export interface Expansion {
  /** Final replicas per block, Σ = slots. */
  replicas: Int32Array;
  /** Π̃_i = r̃_i / m: each answer is block i with this probability. */
  induced: Float64Array;
  /** Eq. 19's replicas before the adjustment to m, and their total R̂. */
  eq19: Int32Array;
  eq19Total: number;
  /** φ(T): probability that a slot has not answered by the ending time. */
  phi: number;
  /** Ending time in seconds, when a runtime model was given. */
  endingTime?: number;
  /** (1/K)·Σ|Π_i − Π̃_i| */
  distortion: number;
  /** min over blocks of Π̃_i/Π_i: the paper's misestimation factor β of Π̃ for Π (≤ 1). */
  beta: number;
}

export function expansionNetwork(Pi: Float64Array, slots: number, q: number, runtime?: RuntimeModel): Expansion {
  const K = Pi.length;
  const positive = Pi.reduce((n, p) => n + (p > 0 ? 1 : 0), 0);
  if (!Number.isInteger(slots) || slots < positive) {
    throw new InputError(`leverage: ${slots} slots cannot give each of the ${positive} blocks with a positive score a replica; use at least ${positive}`);
  }
  if (!(q >= 1 && q <= slots)) throw new InputError(`leverage: q = ${q} must be between 1 and the ${slots} slots`);
  // q = m means waiting for everyone; φ → 0 there, so keep the logarithm finite.
  const phi = Math.max(1 - q / slots, 1e-12);
  const eq19 = new Int32Array(K);
  for (let i = 0; i < K; i++) {
    if (!(Pi[i]! > 0)) continue;
    const rho = Math.log1p(-Math.min(Pi[i]!, 1 - 1e-15)) / Math.log(phi);
    eq19[i] = Math.max(1, Math.round(rho));
  }
  const eq19Total = eq19.reduce((a, b) => a + b, 0);
  const r = apportion(Pi, slots);
  const induced = Float64Array.from(r, (v) => v / slots);
  let distortion = 0;
  let beta = Infinity;
  for (let i = 0; i < K; i++) {
    distortion += Math.abs(Pi[i]! - induced[i]!);
    if (Pi[i]! > 0) beta = Math.min(beta, induced[i]! / Pi[i]!);
  }
  const out: Expansion = { replicas: r, induced, eq19, eq19Total, phi, distortion: distortion / K, beta: Math.min(beta, 1) };
  if (runtime) out.endingTime = runtime.shift - Math.log(phi) / runtime.rate;
  return out;
}

/** argmin Σ|Π_l·m − r_l| over integers r_l ≥ 1 (for Π_l > 0) with Σ r_l = m, by greedy increments. */
function apportion(Pi: Float64Array, total: number): Int32Array {
  const r = Int32Array.from(Pi, (p) => (p > 0 ? 1 : 0));
  let sum = r.reduce((a, b) => a + b, 0);
  while (sum < total) {
    let best = -1;
    let gap = -Infinity;
    for (let i = 0; i < r.length; i++) {
      if (!(Pi[i]! > 0)) continue;
      const g = Pi[i]! * total - r[i]!;
      if (g > gap) [best, gap] = [i, g];
    }
    r[best]!++;
    sum++;
  }
  return r;
}
