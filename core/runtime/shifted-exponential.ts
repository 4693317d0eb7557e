/**
 * The papers' runtime model: a worker's time per unit of work is shift + Exp(rate), F(t) =
 * 1 − exp(−rate·(t − shift)) for t ≥ shift (Lee et al.; the leverage paper's runtime
 * distribution; issue 14's per-worker, per-round slowdown).
 *
 * Fitted from a sample that may be right-censored: a straggler cut off after c seconds per unit
 * of work is known only to be slower than c. With d uncensored values among n, m = their
 * minimum and S = Σ over all n of (xᵢ − m) (a censored value counts at its cut-off):
 * - MLE: shift = m, rate = d/S (d = n without censoring: rate = 1/(mean − min)).
 * - Bias: m − shift ~ Exp(n·rate), so the MLE's shift is high by 1/(n·rate) on average; and
 *   2·rate·S ~ χ²(2(d − 1)) (exact without censoring and under type-II censoring, where the
 *   n − d slowest are cut at the d-th arrival: S is the sum of the d − 1 normalized spacings
 *   (n − i + 1)(x₍ᵢ₎ − x₍ᵢ₋₁₎), i.i.d. Exp(rate)), so E[d/S] = rate·d/(d − 2): the MLE's rate is high by d/(d − 2).
 * - Corrected (unbiased under those conditions): rate = (d − 2)/S, scale 1/rate estimated by
 *   θ = S/(d − 1), shift = m − θ/n. Standard deviations: rate/√(d − 3) for the corrected rate,
 *   1/(n·rate) for the shift; `standardErrors` reports them for tolerances and confidence.
 * Censoring at other points (a per-round deadline) makes the corrections approximate.
 */
export interface TimeSample {
  /** Seconds per unit of work (or a lower bound on it when censored). */
  value: number;
  /** True when the task was cut off: the true value is larger than `value`. */
  censored?: boolean;
}

export interface ShiftedExponentialFit {
  /** Bias-corrected shift (seconds per unit of work). */
  shift: number;
  /** Bias-corrected rate (per second per unit of work). */
  rate: number;
  /** The plain maximum-likelihood estimates, for comparison. */
  mle: { shift: number; rate: number };
  /** Samples used, and how many of them were not censored. */
  n: number;
  uncensored: number;
  /** Standard deviations of the corrected estimates (NaN when d ≤ 3). */
  standardErrors: { shift: number; rate: number };
}

/** The fit, or undefined when there are fewer than three uncensored values (the correction needs d > 2). */
export function fitShiftedExponential(samples: readonly TimeSample[]): ShiftedExponentialFit | undefined {
  let min = Infinity;
  let d = 0;
  for (const s of samples) {
    if (!Number.isFinite(s.value) || s.value < 0) throw new RangeError(`runtime sample must be a finite non-negative number, got ${s.value}`);
    if (!s.censored) {
      d++;
      if (s.value < min) min = s.value;
    }
  }
  if (d < 3) return undefined;
  const n = samples.length;
  let S = 0;
  for (const s of samples) S += Math.max(0, s.value - min);
  if (S === 0) {
    // Every value equal: a point mass. An infinite rate keeps cdf/quantile exact (a step at min).
    return { shift: min, rate: Infinity, mle: { shift: min, rate: Infinity }, n, uncensored: d, standardErrors: { shift: 0, rate: NaN } };
  }
  const rate = (d - 2) / S;
  const theta = S / (d - 1);
  return {
    shift: Math.max(0, min - theta / n),
    rate,
    mle: { shift: min, rate: d / S },
    n,
    uncensored: d,
    standardErrors: { shift: 1 / (n * rate), rate: d > 3 ? rate / Math.sqrt(d - 3) : NaN },
  };
}
