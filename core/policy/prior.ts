import { delayQuantile, type DeclaredDelays } from '../../shared/chaos';
import { priorSamples } from '../runtime';

/**
 * The adaptive policy's prior: each worker's declared delay (the job's chaos, as the master knows
 * it) as `rounds` pseudo-samples of its slowdown, what the runtime model starts from, so the first
 * decision needs no measured round (core/runtime/prior.ts). Undefined when nothing is declared or
 * a worker's delay has no quantile (a trace the master has not cut into streams).
 */
export interface PriorOptions {
  /** Rounds of measurements the prior stands for. */
  rounds: number;
  /** Seconds per unit of work added to every declared delay (a worker's own compute, before measuring it). */
  floor?: number;
  seed?: number;
}

/** A worker's own compute per unit of work, before any is measured: small beside any injected delay. */
export const PRIOR_COMPUTE_FLOOR = 1e-4;

export function declaredPrior(declared: DeclaredDelays | undefined, workers: readonly number[], o: PriorOptions): Map<number, number[]> | undefined {
  if (!declared) return undefined;
  const out = new Map<number, number[]>();
  for (const [k, w] of workers.entries()) {
    const q = delayQuantile(declared.delayOf(w));
    if (!q) return undefined;
    out.set(w, priorSamples(q, o.rounds, { worker: k, workers: workers.length, floor: o.floor ?? PRIOR_COMPUTE_FLOOR, seed: o.seed ?? 1 }));
  }
  return out;
}
