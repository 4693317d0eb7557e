import { LAMBDA_TAIL, type DelaySpec } from './delay';
import { markovSlowShare } from './markov';

/**
 * F⁻¹(p) of a delay distribution: the smallest draw d with P(draw ≤ d) ≥ p, in seconds (per unit
 * of work under the worker-round model). What a model of the declared delays is built from (the
 * leverage scheme's ending time, the adaptive policy's prior). Undefined for a trace whose stream
 * the master has not attached. markov: its stationary marginal (a draw at a random time), which
 * says nothing of how long a slow period lasts.
 */
export function delayQuantile(spec: DelaySpec): ((p: number) => number) | undefined {
  const clampP = (p: number): number => Math.min(Math.max(p, 0), 1 - 1e-15);
  switch (spec.dist) {
    case 'none':
      return () => 0;
    case 'constant':
      return () => spec.value;
    case 'exponential':
      return (p) => -Math.log1p(-clampP(p)) / spec.rate;
    case 'shifted-exponential':
      return (p) => spec.shift - Math.log1p(-clampP(p)) / spec.rate;
    case 'pareto':
      return (p) => spec.scale * (1 - clampP(p)) ** (-1 / spec.alpha);
    case 'bimodal':
      return (p) => discreteQuantile([{ value: spec.slow, weight: spec.p }, { value: spec.fast, weight: 1 - spec.p }], p);
    case 'mixture':
      return (p) => discreteQuantile(spec.multiples.map((m, i) => ({ value: spec.base * m, weight: spec.weights[i]! })), p);
    case 'lambda-tail':
      return (p) => discreteQuantile(LAMBDA_TAIL.multiples.map((m, i) => ({ value: spec.base * m, weight: LAMBDA_TAIL.weights[i]! })), p);
    case 'markov': {
      const slow = markovSlowShare(spec);
      return (p) => discreteQuantile([{ value: spec.base, weight: 1 - slow }, { value: spec.base * spec.factor, weight: slow }], p);
    }
    case 'trace': {
      const v = spec.stream?.values;
      if (!v || v.length === 0) return undefined;
      const sorted = Float64Array.from(v).sort();
      const scale = spec.scale ?? 1;
      // The empirical quantile of the worker's stream (every value equally likely, as replayed or resampled).
      return (p) => scale * sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(clampP(p) * sorted.length - 1e-9) - 1))]!;
    }
  }
}

/** Smallest value whose cumulative weight reaches p, over (value, weight) pairs. */
export function discreteQuantile(atoms: readonly { value: number; weight: number }[], p: number): number {
  const sorted = [...atoms].sort((a, b) => a.value - b.value);
  let cum = 0;
  for (const a of sorted) {
    cum += a.weight;
    if (cum >= p - 1e-12) return a.value;
  }
  return sorted[sorted.length - 1]!.value;
}
