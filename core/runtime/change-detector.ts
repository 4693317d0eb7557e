import { Rng } from '../../shared/random';
import type { TimeSample } from './shifted-exponential';

/**
 * Has a stream of runtimes changed? A windowed two-sample rank test: every `recent` new samples
 * are compared with the (up to `history`) samples before them by Gehan's generalized Wilcoxon
 * test, which is the Mann–Whitney test when nothing is censored and counts a cut-off straggler
 * only where its lower bound decides the comparison. Ranks make the test distribution-free: on a
 * stationary stream (exchangeable samples) every split of the pooled window into history and
 * recent is equally likely, whatever the runtime distribution. The p-value is that permutation
 * distribution's: the normal approximation screens, and a check that passes the screen is
 * confirmed by `permutations` seeded random splits (the normal approximation alone is several
 * times too optimistic when most times tie, as a delay profile without jitter makes them).
 *
 * False-alarm rate: at most `alpha` per check, one check per `recent` samples, so a stationary
 * stream raises a false alarm about once every recent/alpha samples (20/0.001 = 20 000 rounds
 * of one worker with the defaults). A check also needs the medians to differ by `minRatio`, so a
 * statistically clear but small drift (a few percent) is not reported as a change.
 *
 * On a change the history restarts from the recent window: what came before describes another
 * regime and must not be mixed into the fits.
 */
export interface ChangeDetectorOptions {
  /** Samples per check (the recent window). Default 20. */
  recent?: number;
  /** Most samples of history kept. Default 200. */
  history?: number;
  /** Fewest history samples before checks start. Default 20. */
  minHistory?: number;
  /** Two-sided significance per check. Default 0.001. */
  alpha?: number;
  /** Smallest ratio of medians (either way) reported as a change. Default 1.5. */
  minRatio?: number;
  /** Random splits that confirm a significant check. Default 4000. */
  permutations?: number;
  /** Seed of those splits. Default 1. */
  seed?: number;
}

export interface ChangeCheck {
  /** Gehan statistic standardized: > 0 when the recent samples are slower. */
  z: number;
  /** Two-sided p-value (permutation; the normal approximation when that is already above the screen; 1 when the medians did not move enough to be tested). */
  p: number;
  /** Median of the recent window over the median of the history (censored values at their bound). */
  ratio: number;
  changed: boolean;
  historySize: number;
}

export class ChangeDetector {
  readonly recentSize: number;
  readonly historySize: number;
  readonly minHistory: number;
  readonly alpha: number;
  readonly minRatio: number;
  private readonly permutations: number;
  private readonly rng: Rng;
  private history: TimeSample[] = [];
  private recent: TimeSample[] = [];

  constructor(opts: ChangeDetectorOptions = {}) {
    this.recentSize = opts.recent ?? 20;
    this.historySize = opts.history ?? 200;
    this.minHistory = opts.minHistory ?? 20;
    this.alpha = opts.alpha ?? 0.001;
    this.minRatio = opts.minRatio ?? 1.5;
    this.permutations = opts.permutations ?? 4000;
    this.rng = new Rng(opts.seed ?? 1);
    if (!(this.recentSize >= 2 && this.historySize >= this.minHistory && this.minHistory >= 2)) {
      throw new RangeError('change detector: need recent ≥ 2 and history ≥ minHistory ≥ 2');
    }
    if (!(this.alpha > 0 && this.alpha < 1) || !(this.minRatio >= 1)) throw new RangeError('change detector: alpha in (0, 1), minRatio ≥ 1');
  }

  /** Adds a sample; when it completes a recent window, runs the check and returns its outcome. */
  push(sample: TimeSample): ChangeCheck | undefined {
    if (this.history.length < this.minHistory) {
      this.history.push(sample);
      return undefined;
    }
    this.recent.push(sample);
    if (this.recent.length < this.recentSize) return undefined;
    // Medians that did not move enough cannot be a change: skip the test (it runs every round of a job).
    const ratio = medianRatio(this.recent, this.history);
    const moved = ratio >= this.minRatio || ratio <= 1 / this.minRatio;
    const check = moved ? gehanTest(this.history, this.recent) : { z: 0, p: 1, ratio, W: 0, scores: [] };
    // Screen with the normal approximation (generous, since it errs low under ties), confirm by permutation.
    if (moved && check.p < Math.max(10 * this.alpha, 0.01)) check.p = permutationP(check.scores, this.history.length, check.W, this.permutations, this.rng);
    const changed = moved && check.p < this.alpha;
    const historySize = this.history.length;
    if (changed) this.history = this.recent;
    else {
      this.history.push(...this.recent);
      if (this.history.length > this.historySize) this.history.splice(0, this.history.length - this.historySize);
    }
    this.recent = [];
    return { z: check.z, p: check.p, ratio: check.ratio, changed, historySize };
  }

  /** Starts over from these samples (the caller knows a change happened: a cluster-wide shift). */
  restart(samples: readonly TimeSample[] = []): void {
    this.history = samples.slice(-this.historySize);
    this.recent = [];
  }
}

/**
 * Gehan's test of `b` against `a` with Mantel's permutation variance. Each pooled sample i gets
 * Uᵢ = #{j: i surely above j} − #{j: i surely below j}, where i is surely above j when j is
 * uncensored and xᵢ > xⱼ. W = Σ_{i∈b} Uᵢ; under exchangeability E[W] = 0 and
 * Var W = n_a·n_b/(n(n − 1))·Σᵢ Uᵢ².
 */
export function gehanTest(a: readonly TimeSample[], b: readonly TimeSample[]): { z: number; p: number; ratio: number; W: number; scores: number[] } {
  const pooled = [...a, ...b];
  const n = pooled.length;
  const uncensored = Float64Array.from(pooled.filter((s) => !s.censored).map((s) => s.value)).sort();
  const all = Float64Array.from(pooled.map((s) => s.value)).sort();
  const U = pooled.map((s) => {
    const below = countBelow(uncensored, s.value);
    const above = s.censored ? 0 : all.length - countAtMost(all, s.value);
    return below - above;
  });
  let W = 0;
  for (let i = a.length; i < n; i++) W += U[i]!;
  let sumSq = 0;
  for (const u of U) sumSq += u * u;
  const variance = ((a.length * b.length) / (n * (n - 1))) * sumSq;
  const z = variance > 0 ? W / Math.sqrt(variance) : 0;
  return { z, p: twoSidedNormalP(z), ratio: medianRatio(b, a), W, scores: U };
}

/** Median of b over median of a (censored values at their bound); 1 when undefined. */
function medianRatio(b: readonly TimeSample[], a: readonly TimeSample[]): number {
  const ratio = medianValue(b) / medianValue(a);
  return Number.isFinite(ratio) ? ratio : 1;
}

/**
 * Two-sided Monte Carlo permutation p-value of W = Σ of the scores after index `split`: the
 * scores are fixed by the pooled sample, so a permutation only re-draws which of them are
 * "recent". (1 + #{|W*| ≥ |W|})/(B + 1) is a valid p-value for any B.
 */
export function permutationP(scores: readonly number[], split: number, W: number, B: number, rng: Rng): number {
  const n = scores.length;
  const k = n - split;
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  let extreme = 0;
  for (let b = 0; b < B; b++) {
    let s = 0;
    // A partial Fisher–Yates shuffle: the first k of idx are a uniform k-subset.
    for (let i = 0; i < k; i++) {
      const j = i + rng.int(n - i);
      const t = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = t;
      s += scores[idx[i]!]!;
    }
    if (Math.abs(s) >= Math.abs(W) - 1e-9) extreme++;
  }
  return (1 + extreme) / (B + 1);
}

/** # of sorted values strictly below x. */
function countBelow(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** # of sorted values ≤ x. */
function countAtMost(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function medianValue(s: readonly TimeSample[]): number {
  const v = s.map((x) => x.value).sort((x, y) => x - y);
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

/** P(|Z| ≥ |z|) for a standard normal Z. */
export function twoSidedNormalP(z: number): number {
  return erfc(Math.abs(z) / Math.SQRT2);
}

/** Complementary error function (Numerical Recipes' erfcc, relative error < 1.2e-7). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-0.47556052 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
