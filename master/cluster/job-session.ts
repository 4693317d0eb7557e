import type { ChaosSpec } from '../../shared/config';
import { NO_FAULTS } from '../../shared/chaos';
import type { Plan } from '../schemes';
import type { ParameterStore, ShardedStore } from '../store';
import type { Cluster } from './cluster';
import type { Placed } from './placed-plan';
import type { BlockData, ComputeCluster, PlaceOptions, PlacedPlan, RoundOptions, RoundOutcome, TaskPayload } from './types';

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
  private readonly placed = new Set<Placed>();
  private chaosOn: number[] = [];
  private closed = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly spec: JobSessionSpec & { id: string },
    private readonly leave: () => void,
  ) {
    this.id = spec.id;
    this.kind = spec.kind;
    this.subset = spec.workers ? new Set(spec.workers) : undefined;
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

  liveWorkers(): number[] {
    const alive = this.cluster.liveWorkers();
    const subset = this.subset;
    return subset ? alive.filter((w) => subset.has(w)) : alive;
  }

  async place(jobId: string, plan: Plan, data: BlockData, options?: PlaceOptions): Promise<PlacedPlan> {
    const p = await this.cluster.place(jobId, plan, data, this.liveWorkers(), options);
    this.placed.add(p);
    return p;
  }

  async round(placed: PlacedPlan, payload: TaskPayload | ((slot: number) => TaskPayload), options?: RoundOptions): Promise<RoundOutcome> {
    const n = ++this.rounds;
    await this.spec.beforeRound?.(n);
    return this.cluster.round(placed as Placed, payload, n, () => this.liveWorkers(), this.labels, options);
  }

  async release(placed: PlacedPlan): Promise<void> {
    this.placed.delete(placed as Placed);
    await this.cluster.release(placed as Placed);
  }

  /** Sets the job's delays and faults on its workers (`none`: no chaos, e.g. for a set-up phase). */
  async setChaos(chaos: Pick<ChaosSpec, 'delay' | 'fault' | 'seed' | 'workers' | 'cores'> | 'none'): Promise<void> {
    const workers = this.liveWorkers();
    const c = chaos === 'none' ? { delay: { dist: 'none' as const }, fault: NO_FAULTS, seed: 0, cores: 1 } : chaos;
    await this.cluster.configureChaos(this.id, workers, { delay: c.delay, fault: c.fault, seed: c.seed, cores: c.cores ?? 1, ...('workers' in c && c.workers ? { only: c.workers } : {}) });
    this.chaosOn = workers;
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
