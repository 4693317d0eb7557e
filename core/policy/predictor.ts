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
  /** Simulated iterations, at most. Default 400. */
  rounds?: number;
  /**
   * Racing: after every `batch` simulated iterations (from `minRounds` on), a placement whose
   * paired difference to the best so far exceeds 4 standard errors and 5% of the best's mean is
   * dropped (it is clearly not the one to pick, and the chooser only needs to know that), and the
   * simulation stops once every placement left is known to `precision` × the best's mean (one
   * standard error of its paired difference). A cluster whose runtimes hardly vary (no delay) is
   * settled in `minRounds`; a heavy tail takes more. Placements in `keep` (the one in force) are
   * never dropped. Defaults: minRounds 50, batch 25, precision 0.01; `race: false` simulates
   * `rounds` for every placement.
   */
  minRounds?: number;
  batch?: number;
  precision?: number;
  race?: boolean;
  keep?: readonly number[];
  /** Seed of the simulation (the same seed gives the same draws for every call). Default 1. */
  seed?: number;
  execution?: Execution;
  /** Draw slowdowns from the Kaplan–Meier base or its shifted-exponential fit. Default empirical. */
  source?: 'empirical' | 'shifted-exponential';
  /**
   * Seconds every cluster round costs beyond the workers' time (latency, decoding), added once a
   * round when the snapshot has no measured answer overheads to draw per task. Default 0.
   */
  overheadSeconds?: number;
  /** Draw each answer's overhead from the measured ones (the default when measured), or add `overheadSeconds` once a round. */
  network?: 'measured' | 'constant';
}

export interface IterationPrediction {
  placement: Placement;
  /** Mean seconds per iteration (all its rounds). */
  seconds: number;
  /** Standard error of that mean. */
  standardError: number;
  /** The simulated iterations' seconds (same draws for every candidate: pair them over their common length). */
  samples: Float64Array;
  /** Dropped by the race before `rounds` (its figures are from fewer iterations). */
  dropped?: boolean;
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
  // Each answer's own overhead drawn from the measured ones: a round waiting for more answers
  // waits for more of them (on shared cores, most of a fast round), which a constant cannot show.
  const measuredNet = (opts.network ?? 'measured') === 'measured' ? snapshot.overhead : undefined;
  const overhead = measuredNet ? 0 : (opts.overheadSeconds ?? 0);
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
  const race = opts.race ?? true;
  const minRounds = Math.min(M, opts.minRounds ?? 50);
  const batch = Math.max(1, opts.batch ?? 25);
  const precision = opts.precision ?? 0.01;
  const keep = new Set(opts.keep ?? []);
  /** Simulated iterations of each placement (all of them up to the round it was dropped at). */
  const done = new Int32Array(placements.length);
  const active = new Set(placements.map((_, i) => i));
  for (let m = 0; m < M; m++) {
    if (race && m >= minRounds && (m - minRounds) % batch === 0 && settle(samples, m, active, keep, precision)) break;
    const roundRng = root.fork(m);
    for (const d of draws) snapshot.drawRound(roundRng, physical, d, source);
    const orderSeed = roundRng.nextUint32();
    const taskSeed = roundRng.nextUint32();
    const netSeed = roundRng.nextUint32();
    for (const i of active) {
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
        let network: (() => number) | undefined;
        if (measuredNet) {
          const netRng = new Rng(netSeed + r);
          network = () => measuredNet.sample(netRng);
        }
        total += simulateRound(sim, { execution, slowdown: slow, rng, ...(taskDraw ? { taskDraw } : {}), ...(network ? { network } : {}) }) + overhead;
      }
      samples[i]![m] = total;
      done[i] = m + 1;
    }
  }
  return placements.map((placement, i) => {
    const x = samples[i]!.subarray(0, done[i]);
    const { mean, se } = meanAndError(x);
    return { placement, seconds: mean, standardError: se, samples: x, ...(active.has(i) ? {} : { dropped: true }) };
  });
}

/**
 * One look of the race after `m` simulated iterations: drops from `active` the placements clearly
 * slower than the best so far; true when every one left is known well enough to stop.
 */
function settle(samples: readonly Float64Array[], m: number, active: Set<number>, keep: ReadonlySet<number>, precision: number): boolean {
  let best = -1;
  let bestMean = Infinity;
  for (const i of active) {
    const { mean } = meanAndError(samples[i]!.subarray(0, m));
    if (mean < bestMean || best < 0) {
      best = i;
      bestMean = mean;
    }
  }
  if (!Number.isFinite(bestMean)) return false;
  let settled = true;
  for (const i of [...active]) {
    if (i === best) continue;
    const d = pairedDifference(samples[i]!.subarray(0, m), samples[best]!.subarray(0, m));
    const never = d.mean === Infinity;
    if (!keep.has(i) && (never || (d.mean > 4 * d.se && d.mean > 0.05 * bestMean))) {
      active.delete(i);
      continue;
    }
    if (!never && !(d.se <= precision * bestMean)) settled = false;
  }
  return settled;
}

export function meanAndError(x: Float64Array): { mean: number; se: number } {
  let mean = 0;
  for (const v of x) mean += v / x.length;
  if (!Number.isFinite(mean)) return { mean, se: Infinity };
  let ss = 0;
  for (const v of x) ss += (v - mean) ** 2;
  return { mean, se: x.length > 1 ? Math.sqrt(ss / (x.length - 1) / x.length) : Infinity };
}

/** Mean and standard error of the paired difference a − b (same draws), over their common length. */
export function pairedDifference(a: Float64Array, b: Float64Array): { mean: number; se: number } {
  const n = Math.min(a.length, b.length);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = a[i]! - b[i]!;
  return meanAndError(d);
}
