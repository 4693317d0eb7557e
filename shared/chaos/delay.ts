import { InputError } from '../errors';
import type { Rng } from '../random';
import type { DelaySampler } from './sampler';
import { makeStreamSampler, validateTraceOptions, validateTraceStream, type TraceMode, type TraceStream } from './trace';
import { makeMarkovSampler, markovSlowShare, validateMarkov, type MonotonicClock } from './markov';

/**
 * Delay distributions, in seconds. The workers draw from these, so a straggler is a real late
 * answer on a real connection. How a draw becomes a task's delay is `per` (see DelayUnit).
 */
export type DelaySpec = DelayDistribution & { per?: DelayUnit; work?: DelayWork };

/**
 * How draws map to tasks. `worker-round` (the default, the papers' model of a worker): one
 * slowdown draw per worker and round; each task's delay is that draw × the task's work (DelayWork:
 * its operations over the job's reference task's, or the data it touches), and a worker's tasks of a
 * round run one after another on its cores, so a worker with twice the load is twice as slow.
 * `task`: an independent draw per task whatever its size, tasks side by side (the old model).
 */
export type DelayUnit = 'worker-round' | 'task';
export const DELAY_UNITS: readonly DelayUnit[] = ['worker-round', 'task'];

/**
 * What a task's work measures (the master computes it; see core/runtime/task-flops.ts). `ops`
 * (the default): its floating-point operations over the job's reference task's (one uncoded
 * wait-all gradient block), so a Gram of r×c waits c/2 times a matvec over the same rows. `rows`:
 * the data it touches, rows × columns of its stored blocks over one uncoded block of wait-all
 * (the measure before operations were counted, kept for comparison).
 */
export type DelayWork = 'ops' | 'rows';
export const DELAY_WORK: readonly DelayWork[] = ['ops', 'rows'];

export type DelayDistribution =
  | { dist: 'none' }
  | { dist: 'constant'; value: number }
  | { dist: 'exponential'; rate: number }
  | { dist: 'shifted-exponential'; shift: number; rate: number }
  | { dist: 'pareto'; scale: number; alpha: number }
  | { dist: 'bimodal'; p: number; fast: number; slow: number }
  | { dist: 'mixture'; base: number; multiples: number[]; weights: number[] }
  /** The reference heavy tail (OverSketched Newton, Fig. 1): see LAMBDA_TAIL. */
  | { dist: 'lambda-tail'; base: number }
  /** Correlated slow periods (markov.ts): base, or base × factor in a worker's slow periods. */
  | { dist: 'markov'; base: number; factor: number; normalDwell: number; slowDwell: number }
  /**
   * Measured times replayed (trace.ts): the job file names the `file`; the master reads it and
   * sends each worker its own `stream` (a worker or container may not have the file).
   */
  | { dist: 'trace'; file?: string; mode?: TraceMode; scale?: number; stream?: TraceStream };

/**
 * The AWS Lambda job times of the OverSketched Newton paper's Figure 1 (3000 nodes): the median
 * near 40 s, about 5% of the nodes at 100 s (×2.5) and two of the 3000 at 375 s (×9.4). So base ×1
 * w.p. 1 − 0.05 − 2/3000, ×2.5 w.p. 0.05, ×9.4 w.p. 2/3000. Heavier tails are a `mixture`.
 */
export const LAMBDA_TAIL = { multiples: [1, 2.5, 9.4], weights: [1 - 0.05 - 2 / 3000, 0.05, 2 / 3000] } as const;

export function validateDelay(spec: DelaySpec): void {
  if (spec.per !== undefined && !DELAY_UNITS.includes(spec.per)) {
    throw new InputError(`chaos.delay.per must be one of ${DELAY_UNITS.join(', ')}, got '${String(spec.per)}'`);
  }
  if (spec.work !== undefined && !DELAY_WORK.includes(spec.work)) {
    throw new InputError(`chaos.delay.work must be one of ${DELAY_WORK.join(', ')}, got '${String(spec.work)}'`);
  }
  const pos = (v: number, name: string): void => {
    if (!(Number.isFinite(v) && v >= 0)) throw new InputError(`chaos.delay.${name} must be a non-negative number, got ${v}`);
  };
  switch (spec.dist) {
    case 'none':
      return;
    case 'constant':
      return pos(spec.value, 'value');
    case 'exponential':
      if (!(spec.rate > 0)) throw new InputError(`chaos.delay.rate must be positive, got ${spec.rate}`);
      return;
    case 'shifted-exponential':
      pos(spec.shift, 'shift');
      if (!(spec.rate > 0)) throw new InputError(`chaos.delay.rate must be positive, got ${spec.rate}`);
      return;
    case 'pareto':
      if (!(spec.scale > 0)) throw new InputError(`chaos.delay.scale must be positive, got ${spec.scale}`);
      if (!(spec.alpha > 0)) throw new InputError(`chaos.delay.alpha must be positive, got ${spec.alpha}`);
      return;
    case 'bimodal':
      if (!(spec.p >= 0 && spec.p <= 1)) throw new InputError(`chaos.delay.p must be in [0, 1], got ${spec.p}`);
      pos(spec.fast, 'fast');
      return pos(spec.slow, 'slow');
    case 'mixture': {
      pos(spec.base, 'base');
      if (spec.multiples.length === 0 || spec.multiples.length !== spec.weights.length) {
        throw new InputError('chaos.delay: mixture needs as many weights as multiples (at least one)');
      }
      spec.multiples.forEach((m) => pos(m, 'multiples[]'));
      spec.weights.forEach((w) => pos(w, 'weights[]'));
      const total = spec.weights.reduce((a, b) => a + b, 0);
      if (Math.abs(total - 1) > 1e-9) throw new InputError(`chaos.delay.weights must sum to 1, got ${total}`);
      return;
    }
    case 'lambda-tail':
      return pos(spec.base, 'base');
    case 'markov':
      return validateMarkov(spec);
    case 'trace':
      validateTraceOptions(spec);
      if (spec.stream) validateTraceStream(spec.stream);
      return;
  }
}

/**
 * A seeded sampler of `spec`. `clock` (seconds, monotonic) is read only by the distributions that
 * change with time (markov's slow periods); tests pass their own.
 */
export function makeDelaySampler(spec: DelaySpec, rng: Rng, clock?: MonotonicClock): DelaySampler {
  validateDelay(spec);
  switch (spec.dist) {
    case 'none':
      return () => 0;
    case 'constant':
      return () => spec.value;
    case 'exponential':
      return () => rng.exponential(spec.rate);
    case 'shifted-exponential':
      return () => spec.shift + rng.exponential(spec.rate);
    case 'pareto':
      return () => rng.pareto(spec.scale, spec.alpha);
    case 'bimodal':
      return () => (rng.uniform() < spec.p ? spec.slow : spec.fast);
    case 'mixture':
      return () => spec.base * spec.multiples[rng.categorical(spec.weights)]!;
    case 'lambda-tail':
      return () => spec.base * LAMBDA_TAIL.multiples[rng.categorical(LAMBDA_TAIL.weights)]!;
    case 'markov':
      return makeMarkovSampler(spec, rng, clock);
    case 'trace':
      if (!spec.stream) {
        throw new InputError(`chaos.delay: a trace delay needs its values on the worker (the master reads ${spec.file ?? 'the file'} and sends each worker its stream)`);
      }
      return makeStreamSampler(spec.stream, rng, spec);
  }
}

/** The distribution's mean, for tests and for the leverage scheme's runtime model. */
export function delayMean(spec: DelaySpec): number {
  switch (spec.dist) {
    case 'none':
      return 0;
    case 'constant':
      return spec.value;
    case 'exponential':
      return 1 / spec.rate;
    case 'shifted-exponential':
      return spec.shift + 1 / spec.rate;
    case 'pareto':
      return spec.alpha > 1 ? (spec.alpha * spec.scale) / (spec.alpha - 1) : Infinity;
    case 'bimodal':
      return spec.p * spec.slow + (1 - spec.p) * spec.fast;
    case 'mixture':
      return spec.base * spec.multiples.reduce((s, m, i) => s + m * spec.weights[i]!, 0);
    case 'lambda-tail':
      return spec.base * LAMBDA_TAIL.multiples.reduce((s, m, i) => s + m * LAMBDA_TAIL.weights[i]!, 0);
    case 'markov':
      return spec.base * (1 + (spec.factor - 1) * markovSlowShare(spec));
    case 'trace': {
      // The mean of the stream the worker replays (NaN before the master has attached it).
      const v = spec.stream?.values;
      if (!v || v.length === 0) return NaN;
      let sum = 0;
      for (const x of v) sum += x;
      return ((spec.scale ?? 1) * sum) / v.length;
    }
  }
}
