import { InputError } from '../../shared/errors';
import { Rng } from '../../shared/random';
import type { Execution, RuntimeSnapshot } from '../runtime';
import { blockRowsFor, planCandidate, slotWork, type Candidate, type PlanInputs } from './candidates';
import { simulateRound, simulatedPlan, type SimulatedPlan } from './round-simulator';

/**
 * Seconds per iteration of each candidate under the fitted runtime model, by Monte Carlo over
 * the model's rounds: every simulated round draws one slowdown per physical worker (speed ×
 * a draw from the pooled base distribution), and every candidate's real plan and decoder run on
 * those same draws (common random numbers: the differences between candidates are far less noisy
 * than their levels, and the chooser compares differences).
 */
export interface Placement {
  candidate: Candidate;
  /** Physical workers the plan runs on; logical host i is workers[i]. */
  workers: readonly number[];
}

export interface PredictorOptions {
  /** Simulated iterations. Default 400. */
  rounds?: number;
  /** Seed of the simulation (the same seed gives the same draws for every call). Default 1. */
  seed?: number;
  execution?: Execution;
  /** Draw slowdowns from the Kaplan–Meier base or its shifted-exponential fit. Default empirical. */
  source?: 'empirical' | 'shifted-exponential';
  /** Seconds every cluster round costs beyond the workers' time (latency, decoding). Default 0. */
  overheadSeconds?: number;
}

export interface IterationPrediction {
  placement: Placement;
  /** Mean seconds per iteration (all its rounds). */
  seconds: number;
  /** Standard error of that mean. */
  standardError: number;
  /** The simulated iterations' seconds (same draws for every candidate: pair them). */
  samples: Float64Array;
}

/** Real plans cached by candidate and worker count (plans do not depend on the runtime model). */
export class PlanCache {
  private readonly plans = new Map<string, SimulatedPlan>();

  constructor(private readonly job: { rows: number; jobWorkers: number; seed: number; data?: PlanInputs['data'] }) {}

  private readonly refused = new Map<string, string>();

  /**
   * The plan, or undefined when the scheme refuses these sizes (an mds code too large to check,
   * r > N): the reason is kept in `refusals`.
   */
  tryGet(c: Candidate, workers: number): SimulatedPlan | undefined {
    const key = `${c.scheme}:${JSON.stringify(c.params)}:${c.blocks}:${workers}`;
    if (this.refused.has(key)) return undefined;
    try {
      return this.get(c, workers);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      this.refused.set(key, `${c.label} on ${workers} workers: ${e.message}`);
      return undefined;
    }
  }

  refusals(): string[] {
    return [...this.refused.values()];
  }

  get(c: Candidate, workers: number): SimulatedPlan {
    const key = `${c.scheme}:${JSON.stringify(c.params)}:${c.blocks}:${workers}`;
    let sp = this.plans.get(key);
    if (!sp) {
      const inputs: PlanInputs = { workers, rows: this.job.rows, seed: this.job.seed, ...(this.job.data ? { data: this.job.data } : {}) };
      const plan = planCandidate(c, inputs);
      const blockRows = blockRowsFor(c, this.job.rows);
      sp = simulatedPlan(plan, slotWork(plan, blockRows, this.job.rows, this.job.jobWorkers), workers, blockRows);
      this.plans.set(key, sp);
    }
    return sp;
  }
}

export function predictIterations(placements: readonly Placement[], snapshot: RuntimeSnapshot, plans: PlanCache, opts: PredictorOptions = {}): IterationPrediction[] {
  const M = opts.rounds ?? 400;
  const execution = opts.execution ?? 'sequential';
  const source = opts.source ?? 'empirical';
  const overhead = opts.overheadSeconds ?? 0;
  const physical = [...new Set(placements.flatMap((p) => p.workers))].sort((a, b) => a - b);
  const indexOf = new Map(physical.map((w, i) => [w, i]));
  const maxRounds = Math.max(1, ...placements.map((p) => p.candidate.roundsPerIteration));
  const sims = placements.map((p) => plans.get(p.candidate, p.workers.length));
  const samples = placements.map(() => new Float64Array(M));
  const root = new Rng(opts.seed ?? 1);
  const draws = Array.from({ length: maxRounds }, () => new Float64Array(physical.length));
  const logical = placements.map((p) => new Float64Array(p.workers.length));
  const column = placements.map((p) => Int32Array.from(p.workers, (w) => indexOf.get(w)!));
  const parallel = execution === 'parallel';
  const unshuffled = new Rng(0);
  for (let m = 0; m < M; m++) {
    const roundRng = root.fork(m);
    for (const d of draws) snapshot.drawRound(roundRng, physical, d, source);
    const orderSeed = roundRng.nextUint32();
    const taskSeed = roundRng.nextUint32();
    for (let i = 0; i < placements.length; i++) {
      const p = placements[i]!;
      const sim = sims[i]!;
      const slow = logical[i]!;
      const col = column[i]!;
      let total = 0;
      for (let r = 0; r < p.candidate.roundsPerIteration; r++) {
        for (let w = 0; w < col.length; w++) slow[w] = draws[r]![col[w]!]!;
        // Seeded per round (not per candidate), so plans that shuffle or draw per task see the same streams.
        const rng = sim.plan.shuffleSends ? new Rng(orderSeed + r) : unshuffled;
        let taskDraw: ((w: number) => number) | undefined;
        if (parallel) {
          const taskRng = new Rng(taskSeed + r);
          const fit = snapshot.fit;
          taskDraw = (w) => snapshot.speedOf(p.workers[w]!) * (source === 'empirical' || !fit ? snapshot.base.sample(taskRng) : fit.shift + taskRng.exponential(fit.rate));
        }
        total += simulateRound(sim, { execution, slowdown: slow, rng, ...(taskDraw ? { taskDraw } : {}) }) + overhead;
      }
      samples[i]![m] = total;
    }
  }
  return placements.map((placement, i) => {
    const { mean, se } = meanAndError(samples[i]!);
    return { placement, seconds: mean, standardError: se, samples: samples[i]! };
  });
}

export function meanAndError(x: Float64Array): { mean: number; se: number } {
  let mean = 0;
  for (const v of x) mean += v / x.length;
  if (!Number.isFinite(mean)) return { mean, se: Infinity };
  let ss = 0;
  for (const v of x) ss += (v - mean) ** 2;
  return { mean, se: x.length > 1 ? Math.sqrt(ss / (x.length - 1) / x.length) : Infinity };
}

/** Standard error of the mean paired difference a − b (same draws). */
export function pairedDifference(a: Float64Array, b: Float64Array): { mean: number; se: number } {
  const d = Float64Array.from(a, (v, i) => v - b[i]!);
  return meanAndError(d);
}
