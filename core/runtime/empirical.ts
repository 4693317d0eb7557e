import type { Rng } from '../../shared/random';
import type { TimeSample } from './shifted-exponential';

/**
 * The empirical distribution of a (possibly right-censored) sample: the Kaplan–Meier estimate,
 * which is the plain empirical CDF when nothing is censored. A scheme that cuts stragglers off
 * (ignore-stragglers, frc, replication) never sees its slowest times; dropping them would make
 * the cluster look faster than it is and the chooser would then flap back to waiting for everyone.
 * Kaplan–Meier counts a cut-off task as "still running at c", which keeps the tail honest.
 *
 * When the largest values are censored the estimate leaves mass 1 − F(last) unplaced; that tail
 * is continued as an exponential past the last observed value (memoryless, the shifted
 * exponential's tail) with `tailRate`.
 */
export class EmpiricalDistribution {
  /** Distinct uncensored values, ascending, with F at each (the CDF's jumps). */
  private readonly xs: Float64Array;
  private readonly cdf: Float64Array;
  /** Where the tail starts (the largest value seen, censored or not) and its mass. */
  private readonly tailStart: number;
  private readonly tailMass: number;

  constructor(
    samples: readonly TimeSample[],
    private readonly tailRate: number,
  ) {
    if (samples.length === 0) throw new RangeError('empirical distribution of an empty sample');
    // Ascending; at a tie the uncensored come first (the usual convention: a task cut at t was at risk at t).
    const sorted = [...samples].sort((a, b) => a.value - b.value || Number(!!a.censored) - Number(!!b.censored));
    const xs: number[] = [];
    const cdf: number[] = [];
    let atRisk = sorted.length;
    let survival = 1;
    let i = 0;
    while (i < sorted.length) {
      const v = sorted[i]!.value;
      let deaths = 0;
      let cens = 0;
      while (i < sorted.length && sorted[i]!.value === v) {
        if (sorted[i]!.censored) cens++;
        else deaths++;
        i++;
      }
      if (deaths > 0) {
        survival *= 1 - deaths / atRisk;
        xs.push(v);
        cdf.push(1 - survival);
      }
      atRisk -= deaths + cens;
    }
    this.xs = Float64Array.from(xs);
    this.cdf = Float64Array.from(cdf);
    this.tailStart = sorted[sorted.length - 1]!.value;
    this.tailMass = survival;
  }

  /** Mass the sample leaves past its largest value (censored there): 0 without censoring at the top. */
  get unplacedMass(): number {
    return this.tailMass;
  }

  /** Values the estimate puts mass on (no uncensored value: everything is tail). */
  get support(): number {
    return this.xs.length;
  }

  /** F(t) = P(X ≤ t). */
  cdfAt(t: number): number {
    let lo = 0;
    let hi = this.xs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.xs[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    const F = lo === 0 ? 0 : this.cdf[lo - 1]!;
    if (t <= this.tailStart || this.tailMass === 0) return F;
    return 1 - this.tailMass * Math.exp(-this.tailRate * (t - this.tailStart));
  }

  /** The smallest t with F(t) ≥ p (inverse transform; p in [0, 1)). */
  quantile(p: number): number {
    if (!(p >= 0 && p < 1)) throw new RangeError(`quantile needs p in [0, 1), got ${p}`);
    const massed = 1 - this.tailMass;
    if (p < massed || (this.tailMass === 0 && this.xs.length > 0)) {
      let lo = 0;
      let hi = this.xs.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.cdf[mid]! >= p) hi = mid;
        else lo = mid + 1;
      }
      return this.xs[lo]!;
    }
    // In the exponential tail: 1 − tailMass·e^{−rate·(t − start)} = p.
    const excess = (1 - p) / this.tailMass;
    return this.tailStart + (Number.isFinite(this.tailRate) && this.tailRate > 0 ? -Math.log(excess) / this.tailRate : 0);
  }

  sample(rng: Rng): number {
    return this.quantile(rng.uniform());
  }

  /** E[X] = Σ x·(jump) + the tail's mass × (start + 1/rate). */
  mean(): number {
    let m = 0;
    let prev = 0;
    for (let i = 0; i < this.xs.length; i++) {
      m += this.xs[i]! * (this.cdf[i]! - prev);
      prev = this.cdf[i]!;
    }
    if (this.tailMass > 0) m += this.tailMass * (this.tailStart + (this.tailRate > 0 && Number.isFinite(this.tailRate) ? 1 / this.tailRate : 0));
    return m;
  }
}

/** Median of plain numbers (NaN when empty). */
export function medianOf(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
