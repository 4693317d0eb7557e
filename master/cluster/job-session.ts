import { InputError } from '../../shared/errors';
import type { AsyncLinalg } from '../../shared/linalg';
import type { MasterCompute } from '../compute';
import type { EventLoopLag } from '../../shared/metrics';
import { NO_FAULTS, readDelayTrace, traceStreamFor, type DelaySpec, type FaultSpec } from '../../shared/chaos';
import type { Plan } from '../../core/schemes';
import { mapPlanToLive } from '../../core/schemes/placement';
import type { ParameterStore, ShardedStore } from '../store';
import type { RoundJob, SessionHost } from './session-host';
import { BadAnswers } from './bad-answers';
import type { Placed } from './placed-plan';
import type { WorkMeasure } from './task-work';
import type { BlockData, ComputeCluster, MasterArrays, PlaceOptions, PlacedPlan, RoundOptions, RoundOutcome, TaskPayload } from '../../algorithms/compute-cluster';

export interface JobSessionSpec {
  /** The job kind (`job:` of the job file): a metric label. */
  kind: string;
  /** Unique id; default: kind, pid, time and a counter. */
  id?: string;
  /** Worker indices the job may use (an experiment's smaller runs); default: every live worker. */
  workers?: readonly number[];
  /** Awaited before each round is sent, with the job's round number (a chaos schedule's unit). */
  beforeRound?: (round: number) => Promise<void>;
  /** Aborts the wait in the queue. */
  signal?: AbortSignal;
}

/** A job's delays and faults, as its session sets them on its workers. */
export interface SessionChaos {
  delay: DelaySpec;
  fault: FaultSpec;
  seed: number;
  /** Worker indices the chaos applies to (the others get none); default every worker. */
  workers?: readonly number[] | undefined;
  cores?: number;
}

/**
 * Rounds a job does not count (a probe of a left-out worker runs beside the job's rounds): numbered
 * from here, so their answers never mix with a counted round's on a worker's task stream.
 */
const UNCOUNTED_ROUNDS = 2 ** 40;

/**
 * One job's hold on the cluster: its worker subset, its round counter (one per job, counting
 * every round of every plan it runs: what chaos schedules count in), its id and metric labels,
 * its chaos (set with the job id, reset on close), the plans it placed (dropped on close) and its
 * parameter store. Algorithms see it as a ComputeCluster.
 */
export class JobSession implements ComputeCluster {
  readonly id: string;
  readonly kind: string;
  /** Rounds this job has started. */
  rounds = 0;
  private readonly subset: ReadonlySet<number> | undefined;
  /** The plans this job placed and has not released or retired (dropped on close). */
  private readonly placed = new Set<Placed>();
  /** Every handle this job was given, and the master's placed plan behind it. */
  private readonly handles = new WeakMap<PlacedPlan, Placed>();
  private chaosOn: number[] = [];
  private chaosSeed = 0;
  private delayChanges = 0;
  /** What a task's work counts (the job's chaos.delay.work). */
  private workMeasure: WorkMeasure = 'ops';
  private uncounted = 0;
  private closed = false;
  /** The worst event-loop lag a worker reported with an answer of this job (each answer carries its process's lag for the job so far). */
  private workerLag: EventLoopLag | undefined;
  /** Bad answers of this job's workers; a worker that sends too many is dropped from the job. */
  readonly answers: BadAnswers;
  private readonly roundJob: RoundJob;

  constructor(
    private readonly cluster: SessionHost,
    private readonly spec: JobSessionSpec & { id: string },
    private readonly leave: () => void,
  ) {
    this.id = spec.id;
    this.kind = spec.kind;
    this.subset = spec.workers ? new Set(spec.workers) : undefined;
    this.answers = new BadAnswers({ jobId: spec.id, metrics: cluster.metrics, log: cluster.log });
    this.roundJob = { live: () => this.liveWorkers(), labels: this.labels, answers: this.answers, workMeasure: () => this.workMeasure };
  }

  /** Labels of this job's metric series. */
  get labels(): { job_kind: string; job_id: string } {
    return { job_kind: this.kind, job_id: this.id };
  }

  get store(): ParameterStore | undefined {
    return this.cluster.store;
  }

  get shards(): ShardedStore {
    return this.cluster.shards;
  }

  linalg(): Promise<AsyncLinalg> {
    return this.cluster.linalg();
  }

  /** The master's long array work (data, padded copies, coded blocks) on its compute thread. */
  compute(): Promise<MasterCompute> {
    return this.cluster.compute();
  }

  arrays(): Promise<MasterArrays> {
    return this.cluster.compute();
  }

  /** The job's workers that are alive and not dropped from it (for bad answers: BadAnswers). */
  liveWorkers(): number[] {
    const alive = this.cluster.liveWorkers();
    const subset = this.subset;
    return alive.filter((w) => (!subset || subset.has(w)) && !this.answers.dropped(w));
  }

  /** Maps the logical plan onto `options.workers` (default: the live workers) and places it (see ComputeCluster.place). */
  async place(jobId: string, plan: Plan, data: BlockData, options: PlaceOptions = {}): Promise<PlacedPlan> {
    const live = this.liveWorkers();
    // A worker its blocks could not reach is dropped from the job; the first round moves its slots.
    const p = await this.cluster.place(jobId, mapPlanToLive(plan, options.workers ?? live), data, live, options, (w, why) => this.answers.drop(w, `placing its blocks failed: ${why}`));
    this.placed.add(p);
    this.handles.set(p, p);
    return p;
  }

  /** The master's placed plan behind a handle this session gave out. */
  private own(handle: PlacedPlan): Placed {
    const p = this.handles.get(handle);
    if (!p) throw new Error(`job ${this.id}: a placed plan of ${handle.jobId} that this session did not place`);
    return p;
  }

  async round(placed: PlacedPlan, payload: TaskPayload | ((slot: number) => TaskPayload), options?: RoundOptions): Promise<RoundOutcome> {
    const p = this.own(placed);
    const n = ++this.rounds;
    await this.spec.beforeRound?.(n);
    return this.noteLag(await this.cluster.round(p, payload, n, this.roundJob, options));
  }

  /** The worst p99 and the worst max of the workers' event-loop lag over the job's answers; undefined before any answer. */
  workerEventLoopLag(): EventLoopLag | undefined {
    return this.workerLag;
  }

  private noteLag(outcome: RoundOutcome): RoundOutcome {
    for (const a of outcome.arrivals) {
      const w = this.workerLag ?? { p99: 0, max: 0 };
      this.workerLag = { p99: Math.max(w.p99, a.loopLagP99Seconds), max: Math.max(w.max, a.loopLagMaxSeconds) };
    }
    return outcome;
  }

  async release(placed: PlacedPlan): Promise<void> {
    const p = this.own(placed);
    this.placed.delete(p);
    await this.cluster.release(p);
  }

  /**
   * Sets the job's delays and faults on its workers (`none`: no chaos, e.g. for a set-up phase).
   * A replayed trace is read here, at the master, and each worker gets its own stream of it.
   */
  async setChaos(chaos: SessionChaos | 'none'): Promise<void> {
    const workers = this.liveWorkers();
    const c = chaos === 'none' ? { delay: { dist: 'none' as const }, fault: NO_FAULTS, seed: 0, cores: 1 } : chaos;
    await this.cluster.configureChaos(this.id, workers, { delay: perWorkerDelay(c.delay, workers), fault: c.fault, seed: c.seed, cores: c.cores ?? 1, ...('workers' in c && c.workers ? { only: c.workers } : {}) });
    this.chaosOn = workers;
    this.chaosSeed = c.seed;
    this.workMeasure = c.delay.work ?? 'ops';
  }

  /**
   * Replaces the delay on some of the job's workers (default: all), keeping their faults: a
   * chaos schedule's `set delay ... on workers 0-3`. Each change draws from fresh seeded streams.
   */
  async setDelay(delay: DelaySpec, on?: readonly number[]): Promise<number[]> {
    const live = this.liveWorkers();
    const targets = on ? live.filter((w) => on.includes(w)) : live;
    this.delayChanges++;
    if (delay.work) this.workMeasure = delay.work;
    await this.cluster.changeDelay(this.id, targets, (w) => resolve(perWorkerDelay(delay, live), w), this.chaosSeed + 104729 * this.delayChanges);
    for (const w of targets) if (!this.chaosOn.includes(w)) this.chaosOn.push(w);
    return targets;
  }

  /**
   * Runs a round of `placed` that the job does not count (no round number of its own, no chaos
   * schedule step): a probe of a left-out worker, sent beside the job's rounds.
   */
  async uncountedRound(placed: PlacedPlan, payload: TaskPayload | ((slot: number) => TaskPayload)): Promise<RoundOutcome> {
    return this.noteLag(await this.cluster.round(this.own(placed), payload, UNCOUNTED_ROUNDS + ++this.uncounted, this.roundJob));
  }

  /** Drops blocks (by the id the workers know them) of `placed`'s job from one worker. */
  async dropBlocks(placed: PlacedPlan, worker: number, ids: readonly number[]): Promise<void> {
    // Every plan of the job that names these blocks forgets that the worker holds them: a plan
    // placed over held copies lists them among its holders, and a later re-plan reading those
    // holders would skip sending a block that is gone.
    const gone = new Set(ids);
    for (const p of new Set([this.own(placed), ...this.placed])) {
      p.blockIds.forEach((id, s) => {
        if (gone.has(id)) p.holders.get(s)?.delete(worker);
      });
    }
    await this.cluster.dropBlocksOn(placed.jobId, worker, ids);
  }

  /**
   * Forgets a placed plan the job has moved away from without dropping its blocks (a re-plan
   * keeps the ones the next plan shares and drops the rest itself).
   */
  retire(placed: PlacedPlan): void {
    this.placed.delete(this.own(placed));
  }

  /** Resets the job's chaos, drops what it left placed, and lets the next job in. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      const alive = new Set(this.cluster.liveWorkers());
      await Promise.allSettled([
        this.cluster.configureChaos(this.id, this.chaosOn.filter((w) => alive.has(w)), 'reset'),
        ...[...this.placed].map((p) => this.cluster.release(p)),
      ]);
    } finally {
      this.placed.clear();
      this.leave();
    }
  }
}

/** A replayed trace becomes each worker's own stream (worker i of the job replays its column from its offset); any other delay is the same for all. */
function perWorkerDelay(delay: DelaySpec, workers: readonly number[]): DelaySpec | ((worker: number) => DelaySpec) {
  if (delay.dist !== 'trace' || delay.stream) return delay;
  if (!delay.file) throw new InputError('chaos.delay: a trace delay needs its file');
  const trace = readDelayTrace(delay.file);
  const position = new Map(workers.map((w, i) => [w, i]));
  return (w) => ({ ...delay, stream: traceStreamFor(trace, position.get(w) ?? w % workers.length, workers.length) });
}

function resolve(d: DelaySpec | ((worker: number) => DelaySpec), worker: number): DelaySpec {
  return typeof d === 'function' ? d(worker) : d;
}
