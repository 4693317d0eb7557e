import { performance } from 'node:perf_hooks';
import { InputError } from '../errors';
import type { Rng } from '../random';
import type { DelaySampler } from './sampler';

/**
 * Correlated slow periods (a two-state Markov-modulated delay): a worker is either normal, drawing
 * `base` seconds per unit of work, or slow, drawing `base` × `factor`; it stays in each state for an
 * exponential time of mean `normalDwell` and `slowDwell` seconds, then switches. The i.i.d.
 * distributions draw every round afresh, so a worker slow now is no likelier to be slow next round;
 * here it is (a noisy neighbour, a garbage-collection storm, a throttled disk), which is what an
 * adaptive policy that leaves slow workers out and probes them meets on real clusters, and what a
 * round-time simulator drawing rounds independently does not model.
 *
 * The periods run in time, not in draws: a worker left out of the plan (drawing nothing) still
 * recovers. Seeded: the sequence of states and their lengths is the worker's seed's; the first
 * state is drawn from the stationary distribution (slow with probability
 * slowDwell / (normalDwell + slowDwell)) when the sampler is made (the job's chaos is configured).
 *
 *   chaos: { delay: { dist: markov, base: 0.01, factor: 8, normalDwell: 4, slowDwell: 1 } }
 */
export interface MarkovDelay {
  base: number;
  factor: number;
  normalDwell: number;
  slowDwell: number;
}

/** Seconds on a monotonic clock. */
export type MonotonicClock = () => number;

const processClock: MonotonicClock = () => performance.now() / 1000;

export function validateMarkov(spec: MarkovDelay): void {
  if (!(Number.isFinite(spec.base) && spec.base >= 0)) throw new InputError(`chaos.delay.base must be a non-negative number, got ${spec.base}`);
  if (!(Number.isFinite(spec.factor) && spec.factor >= 1)) throw new InputError(`chaos.delay.factor must be a number ≥ 1, got ${spec.factor}`);
  for (const k of ['normalDwell', 'slowDwell'] as const) {
    if (!(Number.isFinite(spec[k]) && spec[k] > 0)) throw new InputError(`chaos.delay.${k} must be a positive number of seconds, got ${spec[k]}`);
  }
}

/** The long-run share of time in the slow state. */
export function markovSlowShare(spec: MarkovDelay): number {
  return spec.slowDwell / (spec.normalDwell + spec.slowDwell);
}

/** A worker's sampler: its state at the time of each draw, from a chain that starts now. */
export function makeMarkovSampler(spec: MarkovDelay, rng: Rng, clock: MonotonicClock = processClock): DelaySampler {
  validateMarkov(spec);
  let slow = rng.uniform() < markovSlowShare(spec);
  const dwell = (): number => rng.exponential(1 / (slow ? spec.slowDwell : spec.normalDwell));
  let switchAt = clock() + dwell();
  return () => {
    const now = clock();
    while (now >= switchAt) {
      slow = !slow;
      switchAt += dwell();
    }
    return slow ? spec.base * spec.factor : spec.base;
  };
}
