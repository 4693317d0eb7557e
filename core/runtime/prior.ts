import { Rng } from '../../shared/random';

/**
 * A prior for the runtime model from a declared delay distribution: `n` pseudo-samples of a
 * worker's slowdown that stand in for n rounds of measurements until real ones outnumber them
 * (the model's window keeps both; its change detector drops the prior when the measurements
 * disagree with it). Deterministic: stratified quantiles F⁻¹((j + u)/n), j = 0..n−1, with the
 * offset u = (k + ½)/K different for each of K workers, so every worker's set is spread over the
 * whole distribution and the K sets together resolve it K times finer (the pooled base the
 * predictor draws from); their order in the window is a seeded shuffle, so any recent stretch of
 * it (what `recentRatios` reads) is spread over the distribution too.
 *
 * `floor` is added to every value: the declared delay is what is injected, and a worker's own
 * compute comes on top of it; before anything is measured a small floor keeps an undelayed worker
 * comparable with a delayed one (relative speeds are ratios).
 */
export function priorSamples(quantile: (p: number) => number, n: number, opts: { worker?: number; workers?: number; floor?: number; seed?: number } = {}): number[] {
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`prior samples: n must be a positive integer, got ${n}`);
  const K = Math.max(1, opts.workers ?? 1);
  const k = (((opts.worker ?? 0) % K) + K) % K;
  const u = (k + 0.5) / K;
  const floor = opts.floor ?? 0;
  const values = Array.from({ length: n }, (_, j) => floor + quantile(Math.min((j + u) / n, 1 - 1e-12)));
  const order = new Rng((opts.seed ?? 1) * 7919 + k).permutation(n);
  return Array.from(order, (i) => values[i]!);
}
