import { InputError } from '../../shared/errors';
import type { AnswerTimeDistribution } from '../runtime/answer-times';

/**
 * The expansion network of the leverage paper (§III, eqs. 18-19): how many replicas r_i of each
 * block to place on the m slots so that uniform sampling of the first answers emulates sampling
 * blocks by their leverage scores Π. Two rules; both report φ, T, r̂, r̃, the distortion and β.
 *
 * `paper` (the default): each slot is an erasure channel that has not answered by the ending
 * time T with probability φ(T) = 1 − F(T); block i is heard by T with probability 1 − φ^{r_i},
 * and matching that to Π_i gives eq. 19, r̂_i = round(log(1 − Π_i)/log φ) (kept ≥ 1 for
 * Π_i > 0: a block never heard would bias the estimate). φ is chosen so that R̂ = Σ r̂ lands
 * nearest m: among the values R̂(φ) takes (it grows with φ, in steps), the one nearest m, and
 * within its step the φ nearest the continuous solution Σ log(1 − Π_i)/log φ = m. Then the
 * paper's r̃_i = r̂_i ± α_i: |R̂ − m| unit fix-ups, each on a different block where possible, to
 * the blocks whose share r/m is furthest below (above) Π, which minimizes Σ|Π_l − r̃_l/m| among
 * such moves. T = F⁻¹(1 − φ) from the runtime model (the job's delay distribution, or runtimes
 * measured in the run); by then about (1 − φ)·m answers have arrived. (Since Π sums to one,
 * matching 1 − φ^{r_i} to Π_i means about one block is heard by T: eq. 19 replicates about in
 * proportion to −log(1 − Π_i), a little more than Π_i for the heavy blocks.)
 *
 * `apportion` (Coda's): r̃ = argmin Σ|Π_l·m − r_l| over integers r_l ≥ 1 (for Π_l > 0) with
 * Σ r_l = m, the least distortion any replication on m slots has. The objective is separable
 * and convex in the integers, so starting every positive block at one replica and adding the
 * rest one at a time to the block with the largest deficit Π_l·m − r_l solves it exactly. Its φ
 * is 1 − q/m (by T = F⁻¹(q/m) the decoder's q answers are in), its r̂ eq. 19 at that φ.
 *
 * The induced distribution is Π̃_i = r̃_i/m; distortion d(Π, Π̃) = (1/K)·Σ|Π_i − Π̃_i|;
 * β = min Π̃_i/Π_i (≤ 1), the paper's misestimation factor of Π̃ for Π.
 */

export type ReplicaRule = 'paper' | 'apportion';

export interface ExpansionRule {
  rule: ReplicaRule;
  /** φ: probability that a slot has not answered by the ending time T. */
  phi: number;
  /** T = F⁻¹(1 − φ) in seconds, when a runtime model was given. */
  endingTime?: number;
  /** Answers expected by T: (1 − φ)·m. */
  answersByEndingTime: number;
  /** Eq. 19's r̂ at φ, and R̂ = Σ r̂. */
  eq19: Int32Array;
  eq19Total: number;
  /** r̃: the replicas placed, Σ = m. */
  replicas: Int32Array;
  /** α = r̃ − r̂. */
  alpha: Int32Array;
  /** Π̃_i = r̃_i / m: each answer is block i with this probability. */
  induced: Float64Array;
  /** (1/K)·Σ|Π_i − Π̃_i| */
  distortion: number;
  /** min over blocks of Π̃_i/Π_i, at most 1. */
  beta: number;
}

export interface Expansion extends ExpansionRule {
  /** Both rules on the same scores and slots (the chosen one is spread into this object too). */
  rules: Record<ReplicaRule, ExpansionRule>;
}

/** −log(1 − Π_i) (0 for Π_i = 0); Π_i = 1 kept finite. */
function logScores(Pi: Float64Array): Float64Array {
  return Pi.map((p) => (p > 0 ? -Math.log1p(-Math.min(p, 1 - 1e-15)) : 0));
}

/** Eq. 19 at φ = e^{−u}: r̂_i = round(ℓ_i/u), at least 1 for a positive score. */
function eq19At(ell: Float64Array, u: number): Int32Array {
  return Int32Array.from(ell, (l) => (l > 0 ? Math.max(1, Math.round(l / u)) : 0));
}

function sum(r: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) s += r[i]!;
  return s;
}

/**
 * The paper's φ: the step of R̂(φ) nearest m (ties: the smaller R̂), and in it the φ nearest the
 * continuous solution. Works in u = −log φ > 0, where R̂ is non-increasing.
 */
export function paperPhi(Pi: Float64Array, m: number): number {
  const ell = logScores(Pi);
  const pos = [...ell].filter((l) => l > 0);
  const R = (u: number): number => sum(eq19At(ell, u));
  const uStar = pos.reduce((a, b) => a + b, 0) / m;
  // u small: every r̂ ≥ m + 1; u large: every r̂ = 1 (R̂ = #positive ≤ m).
  let lo = Math.min(...pos) / (m + 1);
  let hi = 2 * Math.max(...pos);
  let u0: number;
  if (R(hi) >= m) {
    u0 = hi;
  } else {
    for (let k = 0; k < 200 && hi / lo > 1 + 1e-13; k++) {
      const mid = Math.sqrt(lo * hi);
      if (R(mid) >= m) lo = mid;
      else hi = mid;
    }
    // R(lo) ≥ m > R(hi), and no step lies between them.
    u0 = m - R(hi) <= R(lo) - m ? hi : lo;
  }
  // The step of u0, (from, to]: every r̂_i stays put while ℓ_i/u ∈ [r̂_i − ½, r̂_i + ½), or
  // anywhere below 1½ for r̂_i = 1 (the floor of one replica).
  const r = eq19At(ell, u0);
  let from = 0;
  let to = Infinity;
  ell.forEach((l, i) => {
    if (!(l > 0)) return;
    from = Math.max(from, l / (r[i]! + 0.5));
    if (r[i]! > 1) to = Math.min(to, l / (r[i]! - 0.5));
  });
  const inside = Math.min(Math.max(uStar, from * (1 + 1e-9)), to);
  return Math.exp(-inside);
}

/** Unit moves from r̂ to Σ = m: to the blocks furthest below (above) their share, a different block each time while one is left. */
function fixUps(Pi: Float64Array, rHat: Int32Array, m: number): Int32Array {
  const r = Int32Array.from(rHat);
  const moved = new Uint8Array(r.length);
  let total = sum(r);
  while (total !== m) {
    const up = total < m;
    let best = -1;
    let gap = -Infinity;
    for (const fresh of [true, false]) {
      for (let i = 0; i < r.length; i++) {
        if (!(Pi[i]! > 0) || (fresh && moved[i]) || (!up && r[i]! <= 1)) continue;
        const g = up ? Pi[i]! * m - r[i]! : r[i]! - Pi[i]! * m;
        if (g > gap) [best, gap] = [i, g];
      }
      if (best >= 0) break;
    }
    r[best]! += up ? 1 : -1;
    moved[best] = 1;
    total += up ? 1 : -1;
  }
  return r;
}

/** argmin Σ|Π_l·m − r_l| over integers r_l ≥ 1 (for Π_l > 0) with Σ r_l = m, by greedy increments. */
export function apportion(Pi: Float64Array, total: number): Int32Array {
  const r = Int32Array.from(Pi, (p) => (p > 0 ? 1 : 0));
  let placed = sum(r);
  while (placed < total) {
    let best = -1;
    let gap = -Infinity;
    for (let i = 0; i < r.length; i++) {
      if (!(Pi[i]! > 0)) continue;
      const g = Pi[i]! * total - r[i]!;
      if (g > gap) [best, gap] = [i, g];
    }
    r[best]!++;
    placed++;
  }
  return r;
}

function describeRule(rule: ReplicaRule, Pi: Float64Array, m: number, phi: number, replicas: Int32Array, runtime?: AnswerTimeDistribution): ExpansionRule {
  const K = Pi.length;
  const eq19 = eq19At(logScores(Pi), -Math.log(phi));
  const induced = Float64Array.from(replicas, (v) => v / m);
  let distortion = 0;
  let beta = Infinity;
  for (let i = 0; i < K; i++) {
    distortion += Math.abs(Pi[i]! - induced[i]!);
    if (Pi[i]! > 0) beta = Math.min(beta, induced[i]! / Pi[i]!);
  }
  const out: ExpansionRule = {
    rule,
    phi,
    answersByEndingTime: (1 - phi) * m,
    eq19,
    eq19Total: sum(eq19),
    replicas,
    alpha: Int32Array.from(replicas, (v, i) => v - eq19[i]!),
    induced,
    distortion: distortion / K,
    beta: Math.min(beta, 1),
  };
  if (runtime) out.endingTime = runtime.quantile(1 - phi);
  return out;
}

export function expansionNetwork(Pi: Float64Array, slots: number, q: number, rule: ReplicaRule = 'paper', runtime?: AnswerTimeDistribution): Expansion {
  const positive = Pi.reduce((n, p) => n + (p > 0 ? 1 : 0), 0);
  if (!Number.isInteger(slots) || slots < positive) {
    throw new InputError(`leverage: ${slots} slots cannot give each of the ${positive} blocks with a positive score a replica; use at least ${positive}`);
  }
  if (!(q >= 1 && q <= slots)) throw new InputError(`leverage: q = ${q} must be between 1 and the ${slots} slots`);
  const phiPaper = paperPhi(Pi, slots);
  const paper = describeRule('paper', Pi, slots, phiPaper, fixUps(Pi, eq19At(logScores(Pi), -Math.log(phiPaper)), slots), runtime);
  // q = m means waiting for everyone; φ → 0 there, so keep the logarithm finite.
  const apportioned = describeRule('apportion', Pi, slots, Math.max(1 - q / slots, 1e-12), apportion(Pi, slots), runtime);
  const rules = { paper, apportion: apportioned };
  return { ...rules[rule], rules };
}

/** A rule's figures as plain JSON for result.json. */
export function describeExpansion(e: ExpansionRule): Record<string, unknown> {
  return {
    phi: e.phi,
    ...(e.endingTime !== undefined ? { endingTimeSeconds: e.endingTime } : {}),
    answersByEndingTime: e.answersByEndingTime,
    eq19Replicas: Array.from(e.eq19),
    eq19Total: e.eq19Total,
    replicas: Array.from(e.replicas),
    maxAlpha: Math.max(0, ...Array.from(e.alpha, Math.abs)),
    distortion: e.distortion,
    beta: e.beta,
  };
}
