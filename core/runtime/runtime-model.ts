import type { Rng } from '../../shared/random';
import { ChangeDetector, type ChangeDetectorOptions } from './change-detector';
import { EmpiricalDistribution, medianOf } from './empirical';
import { roundSamples, type Execution, type TaskTiming, type WorkerRoundSample } from './samples';
import { fitShiftedExponential, type ShiftedExponentialFit, type TimeSample } from './shifted-exponential';

/**
 * The cluster's runtime model, learned online from every round's task timings (pure: rounds and
 * times are inputs; no clock).
 *
 * Per worker: a sliding window of its slowdowns (seconds per unit of work, one sample a round),
 * a shifted-exponential fit and the Kaplan–Meier empirical distribution of that window, its
 * speed relative to the cluster, and a change detector on its stream. For the cluster: the
 * same on the per-round median across workers (a cluster-wide shift moves that median; one slow
 * worker does not), and the pooled base distribution the predictor draws from.
 *
 * The predictor's model of a round is location-scale: worker w's slowdown is speed_w × Z with
 * Z drawn from the pooled base distribution (every worker's window divided by its relative speed)
 * and draws independent across workers. Pooling gives the tail N times the data a single worker
 * has (a 1-in-1500 straggler is seen in a few hundred rounds of 8 workers); the relative speed
 * carries a persistently slow worker. Correlated slowdowns across workers within a round are not
 * modelled.
 *
 * Bounded memory: `window` samples per worker, `changeLog` change events.
 */
export interface RuntimeModelOptions {
  execution?: Execution;
  /** Samples kept per worker. Default 256. */
  window?: number;
  /** Rounds over which `recentRatio` measures a worker against the cluster. Default 10. */
  recentRounds?: number;
  /** The per-worker change detector. */
  workerDetector?: ChangeDetectorOptions;
  /** The cluster-wide change detector (on the per-round median). */
  clusterDetector?: ChangeDetectorOptions;
  /** Change events kept. Default 100. */
  changeLog?: number;
  /** Answers' overheads kept (pooled over workers). Default 512. */
  overheadWindow?: number;
}

export interface ChangeEvent {
  round: number;
  scope: 'worker' | 'cluster';
  worker?: number;
  /** Median of the recent window over the history's: > 1 slower now. */
  ratio: number;
  p: number;
  description: string;
}

interface WorkerState {
  window: WorkerRoundSample[];
  detector: ChangeDetector;
}

export class RuntimeModel {
  readonly execution: Execution;
  private readonly windowSize: number;
  private readonly recentRounds: number;
  private readonly changeLogSize: number;
  private readonly workerDetectorOptions: ChangeDetectorOptions;
  private readonly workersState = new Map<number, WorkerState>();
  private readonly clusterDetector: ChangeDetector;
  /** Rounds pushed to the cluster detector, the last `recent` of them (where a change starts). */
  private clusterRounds: number[] = [];
  private readonly changeEvents: ChangeEvent[] = [];
  private roundsSeen = 0;
  private samplesSeen = 0;
  private lastRound = -Infinity;
  /** Pseudo-samples per worker the model was seeded with (seedPrior), 0 without a prior. */
  private priorPerWorker = 0;
  /**
   * The answers' overheads (seconds of an answer that are not its worker's work: the network,
   * the worker's and the master's event loops), pooled, the latest `overheadWindow`. Not per unit
   * of work: an answer pays it whatever its size. On a machine whose cores the workers share, it
   * is most of a fast round, and waiting for fewer answers is what avoids it.
   */
  private readonly overheads: number[] = [];
  private readonly overheadWindow: number;

  constructor(opts: RuntimeModelOptions = {}) {
    this.execution = opts.execution ?? 'sequential';
    this.windowSize = opts.window ?? 256;
    this.recentRounds = opts.recentRounds ?? 10;
    this.changeLogSize = opts.changeLog ?? 100;
    this.overheadWindow = opts.overheadWindow ?? 512;
    this.workerDetectorOptions = opts.workerDetector ?? {};
    this.clusterDetector = new ChangeDetector(opts.clusterDetector ?? {});
  }

  /**
   * Starts the model from a prior instead of nothing: each worker's pseudo-samples (slowdowns,
   * core/runtime/prior.ts) go into its window as if measured before round 1, and into the change
   * detectors' histories, so measurements that disagree with the prior (medians 1.5× apart,
   * significantly) are a change that drops it, while measurements that agree simply outnumber it.
   * Only before the first observation.
   */
  seedPrior(prior: ReadonlyMap<number, readonly number[]>): void {
    if (this.roundsSeen > 0 || this.priorPerWorker > 0) throw new Error('runtime model: a prior goes in before any round');
    let n = 0;
    for (const [w, values] of prior) {
      if (values.length === 0) continue;
      const st = this.stateOf(w);
      st.window = values.slice(-this.windowSize).map((value) => ({ worker: w, round: 0, work: 1, value, censored: false, prior: true }));
      st.detector.restart(st.window);
      n = Math.max(n, st.window.length);
    }
    if (n === 0) return;
    // The cluster detector's history: the per-"round" median across workers of the pseudo-samples.
    const medians: TimeSample[] = [];
    for (let i = 0; i < n; i++) {
      const row = [...this.workersState.values()].map((st) => st.window[i]).filter((x): x is WorkerRoundSample => x !== undefined);
      if (row.length >= 2) medians.push(roundMedian(row));
    }
    this.clusterDetector.restart(medians);
    this.priorPerWorker = n;
    this.lastRound = 0;
  }

  /** Pseudo-samples per worker the model started from (0: no prior). */
  get priorSamples(): number {
    return this.priorPerWorker;
  }

  /** Whether some prior samples are still in the windows (a change drops them). */
  get hasPrior(): boolean {
    for (const st of this.workersState.values()) if (st.window.some((x) => x.prior)) return true;
    return false;
  }

  /** One round's task timings (every task, answered or cut off). Returns the changes it revealed. */
  observeRound(round: number, tasks: readonly TaskTiming[]): ChangeEvent[] {
    // A straggler's overhead is a stand-in (the round's median): only answers measure it.
    this.observeOverheads(tasks.filter((t) => !t.censored).map((t) => t.overheadSeconds));
    return this.observe(round, roundSamples(round, tasks, this.execution));
  }

  /**
   * Answers' overheads measured outside the job's rounds (a calibration round of tasks too small
   * to carry any delay): they go into the pooled overheads only, no worker's slowdown. Missing or
   * negative values are skipped.
   */
  observeOverheads(seconds: readonly (number | undefined)[]): void {
    for (const s of seconds) if (s !== undefined && s >= 0 && Number.isFinite(s)) this.overheads.push(s);
    if (this.overheads.length > this.overheadWindow) this.overheads.splice(0, this.overheads.length - this.overheadWindow);
  }

  /** Answers' overheads pooled so far (measured rounds and calibration). */
  get overheadCount(): number {
    return this.overheads.length;
  }

  /** One round's samples (several for a worker, e.g. its own batch and a backup, are merged). */
  observe(round: number, samples: readonly WorkerRoundSample[]): ChangeEvent[] {
    if (round <= this.lastRound) throw new RangeError(`runtime model: round ${round} after round ${this.lastRound}`);
    this.lastRound = round;
    const perWorker = new Map<number, WorkerRoundSample>();
    for (const s of samples) {
      const prev = perWorker.get(s.worker);
      if (!prev || moreInformative(s, prev)) perWorker.set(s.worker, { ...s, round });
    }
    if (perWorker.size === 0) return [];
    this.roundsSeen++;
    this.samplesSeen += perWorker.size;
    const events: ChangeEvent[] = [];
    for (const [w, s] of perWorker) {
      const st = this.stateOf(w);
      st.window.push(s);
      if (st.window.length > this.windowSize) st.window.shift();
    }
    // The cluster first: a shift of every worker is one event, not N worker events.
    if (perWorker.size >= 2) {
      this.clusterRounds.push(round);
      if (this.clusterRounds.length > this.clusterDetector.recentSize) this.clusterRounds.shift();
      const check = this.clusterDetector.push(roundMedian([...perWorker.values()]));
      if (check?.changed) {
        const since = this.clusterRounds[0]!;
        for (const st of this.workersState.values()) {
          const kept = st.window.filter((x) => x.round >= since);
          // A worker absent from those rounds (left out of the plan) keeps what is known of it:
          // the shift was measured without it, and forgetting it would make a slow worker look
          // like one never seen (speed 1), to be taken back in.
          if (kept.length === 0) continue;
          st.window = kept;
          st.detector.restart(st.window);
        }
        events.push(this.log({ round, scope: 'cluster', ratio: check.ratio, p: check.p, description: `cluster ${describeRatio(check.ratio)} since round ${since} (p = ${check.p.toExponential(1)})` }));
        return events;
      }
    }
    for (const [w, s] of perWorker) {
      const st = this.stateOf(w);
      const check = st.detector.push(s);
      if (check?.changed) {
        // The new regime is the recent window: forget what came before it.
        st.window = st.window.slice(-st.detector.recentSize);
        events.push(this.log({ round, scope: 'worker', worker: w, ratio: check.ratio, p: check.p, description: `worker ${w} ${describeRatio(check.ratio)} (p = ${check.p.toExponential(1)})` }));
      }
    }
    return events;
  }

  private stateOf(w: number): WorkerState {
    let st = this.workersState.get(w);
    if (!st) {
      st = { window: [], detector: new ChangeDetector(this.workerDetectorOptions) };
      this.workersState.set(w, st);
    }
    return st;
  }

  private log(e: ChangeEvent): ChangeEvent {
    this.changeEvents.push(e);
    if (this.changeEvents.length > this.changeLogSize) this.changeEvents.shift();
    return e;
  }

  /** Workers with samples, ascending. */
  workers(): number[] {
    return [...this.workersState.keys()].sort((a, b) => a - b);
  }

  get rounds(): number {
    return this.roundsSeen;
  }

  get changes(): readonly ChangeEvent[] {
    return this.changeEvents;
  }

  /** A worker's samples since its last change (at most `window`). */
  samplesOf(worker: number): readonly WorkerRoundSample[] {
    return this.workersState.get(worker)?.window ?? [];
  }

  workerFit(worker: number): ShiftedExponentialFit | undefined {
    return fitShiftedExponential(this.samplesOf(worker));
  }

  /** The pooled samples of every worker, each divided by its relative speed. */
  private pooledBase(): TimeSample[] {
    const speeds = this.speeds();
    const out: TimeSample[] = [];
    for (const [w, st] of this.workersState) {
      const k = speeds.get(w) || 1;
      for (const s of st.window) out.push({ value: s.value / k, censored: !!s.censored });
    }
    return out;
  }

  /** Each worker's median slowdown over its window, over the median of those medians. */
  speeds(): Map<number, number> {
    return relativeTo(this.medians((st) => st.window));
  }

  /**
   * Like `speeds`, over the last `recentRounds` samples only: who is slow now. A worker whose
   * recent samples are mostly censored (cut off as a straggler: only "slower than c" is known)
   * has no recent median; its whole window (the same regime, or the change detector would have
   * cut it) gives it instead.
   */
  recentRatios(): Map<number, number> {
    return relativeTo(this.recentMedians());
  }

  private recentMedians(): Map<number, number> {
    const tailRate = this.tailRate();
    const out = new Map<number, number>();
    for (const [w, st] of this.workersState) {
      if (st.window.length === 0) continue;
      const recent = new EmpiricalDistribution(st.window.slice(-this.recentRounds), tailRate);
      const d = recent.unplacedMass > 0.5 ? new EmpiricalDistribution(st.window, tailRate) : recent;
      out.set(w, d.quantile(0.5));
    }
    return out;
  }

  /**
   * Each worker's latest sample over the median of the workers' recent medians, with its round:
   * how a left-out worker's probe compares with the cluster now.
   */
  latestRatios(): Map<number, { ratio: number; round: number }> {
    const ref = medianOf([...this.recentMedians().values()]);
    const out = new Map<number, { ratio: number; round: number }>();
    for (const [w, st] of this.workersState) {
      const last = st.window[st.window.length - 1];
      if (last) out.set(w, { ratio: ref > 0 ? last.value / ref : 1, round: last.round });
    }
    return out;
  }

  private medians(pick: (st: WorkerState) => WorkerRoundSample[]): Map<number, number> {
    const tailRate = this.tailRate();
    const out = new Map<number, number>();
    for (const [w, st] of this.workersState) {
      const s = pick(st);
      if (s.length > 0) out.set(w, new EmpiricalDistribution(s, tailRate).quantile(0.5));
    }
    return out;
  }

  /** Rate for extrapolating past a censored tail: the shifted-exponential fit of all uncensored samples. */
  private tailRate(): number {
    const all: TimeSample[] = [];
    for (const st of this.workersState.values()) all.push(...st.window);
    const fit = fitShiftedExponential(all);
    return fit && Number.isFinite(fit.rate) ? fit.rate : Infinity;
  }

  /** A frozen view for the predictor, or undefined before any sample. */
  snapshot(): RuntimeSnapshot | undefined {
    const base = this.pooledBase();
    if (base.length === 0) return undefined;
    const fit = fitShiftedExponential(base);
    const tail = fit && Number.isFinite(fit.rate) ? fit.rate : Infinity;
    const overhead = this.overheads.length > 0 ? new EmpiricalDistribution(this.overheads.map((value) => ({ value })), Infinity) : undefined;
    return new RuntimeSnapshot(new EmpiricalDistribution(base, tail), fit, this.speeds(), overhead);
  }

  /** What result.json records of the model. */
  summary(): RuntimeSummary {
    const snap = this.snapshot();
    const speeds = this.speeds();
    const tail = this.tailRate();
    return {
      rounds: this.roundsSeen,
      samples: this.samplesSeen,
      execution: this.execution,
      prior: { samplesPerWorker: this.priorPerWorker, kept: this.hasPrior },
      overhead: snap?.overhead ? { answers: this.overheads.length, p50: snap.overhead.quantile(0.5), p90: snap.overhead.quantile(0.9) } : null,
      cluster: snap ? distributionSummary(snap.base, snap.fit) : null,
      workers: this.workers().map((w) => {
        const s = this.samplesOf(w);
        return {
          worker: w,
          samples: s.length,
          censored: s.filter((x) => x.censored).length,
          relativeSpeed: speeds.get(w) ?? null,
          ...(s.length > 0 ? distributionSummary(new EmpiricalDistribution(s, tail), fitShiftedExponential(s)) : { shiftedExponential: null, quantiles: null, mean: null }),
        };
      }),
      changes: [...this.changeEvents],
    };
  }
}

/**
 * What the predictor needs, frozen: the pooled base distribution (and its shifted-exponential
 * fit), and each worker's relative speed (1 for a worker never seen).
 */
export class RuntimeSnapshot {
  constructor(
    readonly base: EmpiricalDistribution,
    readonly fit: ShiftedExponentialFit | undefined,
    readonly speeds: ReadonlyMap<number, number>,
    /** Each answer's overhead beyond its worker's work (seconds, pooled), once answers reported it. */
    readonly overhead?: EmpiricalDistribution,
  ) {}

  speedOf(worker: number): number {
    return this.speeds.get(worker) ?? 1;
  }

  /**
   * One round's slowdowns (seconds per unit of work) for `workers`, into `out`: speed × a draw
   * from the empirical base, or from its shifted-exponential fit.
   */
  drawRound(rng: Rng, workers: readonly number[], out: Float64Array, source: 'empirical' | 'shifted-exponential' = 'empirical'): Float64Array {
    const fit = this.fit;
    for (let i = 0; i < workers.length; i++) {
      const z = source === 'shifted-exponential' && fit ? fit.shift + (Number.isFinite(fit.rate) ? rng.exponential(fit.rate) : 0) : this.base.sample(rng);
      out[i] = this.speedOf(workers[i]!) * z;
    }
    return out;
  }
}

export interface DistributionSummary {
  shiftedExponential: { shift: number; rate: number; mle: { shift: number; rate: number }; n: number; uncensored: number } | null;
  /** Seconds per unit of work. */
  quantiles: { p50: number; p90: number; p99: number } | null;
  mean: number | null;
}

export interface RuntimeSummary {
  rounds: number;
  samples: number;
  execution: Execution;
  /** The declared delays' pseudo-samples the model started from, and whether any are still in its windows. */
  prior: { samplesPerWorker: number; kept: boolean };
  /** The answers' overheads (seconds beyond the workers' own time) the predictor draws per task. */
  overhead: { answers: number; p50: number; p90: number } | null;
  /** The pooled base distribution (each worker divided by its relative speed). */
  cluster: DistributionSummary | null;
  workers: ({ worker: number; samples: number; censored: number; relativeSpeed: number | null } & DistributionSummary)[];
  changes: ChangeEvent[];
}

function distributionSummary(d: EmpiricalDistribution, fit: ShiftedExponentialFit | undefined): DistributionSummary {
  return {
    shiftedExponential: fit ? { shift: fit.shift, rate: fit.rate, mle: fit.mle, n: fit.n, uncensored: fit.uncensored } : null,
    quantiles: { p50: d.quantile(0.5), p90: d.quantile(0.9), p99: d.quantile(0.99) },
    mean: d.mean(),
  };
}

/** The uncensored sample over more work wins (the least overhead per unit); then the larger bound. */
function moreInformative(a: WorkerRoundSample, b: WorkerRoundSample): boolean {
  if (!!a.censored !== !!b.censored) return !a.censored;
  return a.censored ? a.value > b.value : a.work > b.work;
}

/** The round's median across workers, censored when the middle sample is. */
function roundMedian(samples: WorkerRoundSample[]): TimeSample {
  const sorted = [...samples].sort((a, b) => a.value - b.value);
  const mid = sorted[(sorted.length - 1) >> 1]!;
  return { value: mid.value, censored: !!mid.censored };
}

function relativeTo(medians: Map<number, number>): Map<number, number> {
  const ref = medianOf([...medians.values()]);
  const out = new Map<number, number>();
  for (const [w, m] of medians) out.set(w, ref > 0 ? m / ref : 1);
  return out;
}

function describeRatio(r: number): string {
  return r >= 1 ? `${r.toFixed(1)}× slower` : `${(1 / r).toFixed(1)}× faster`;
}
