import type { DelaySpec, FaultSpec } from '../../shared/chaos';
import type { AsyncLinalg } from '../../shared/linalg';
import type { MasterCompute } from '../compute';
import type { Plan } from '../../core/schemes';
import type { BlockData, PlaceOptions, RoundOptions, RoundOutcome, TaskPayload } from '../../algorithms/compute-cluster';
import type { ParameterStore, ShardedStore } from '../store';
import type { Placed } from './placed-plan';
import type { BadAnswers } from './bad-answers';
import type { Logger } from '../../shared/log';
import type { MasterMetrics } from '../metrics';
import type { WorkMeasure } from './task-work';

/** What a session sets on its workers. */
export interface WorkerChaos {
  /** The delay, or each worker's own (a replayed trace: every worker its stream). */
  delay: DelaySpec | ((worker: number) => DelaySpec);
  fault: FaultSpec;
  seed: number;
  cores: number;
  /** Worker indices the chaos applies to; the others get none. */
  only?: readonly number[];
}

/** What a round needs of the job session it runs in. */
export interface RoundJob {
  /** The job's live workers (its subset, less the workers dropped from it). */
  live(): number[];
  /** Metric labels of the job. */
  labels: { job_kind: string; job_id: string };
  /** The job's bad answers: a worker that sends too many is dropped from the job. */
  answers: BadAnswers;
  /** What a task's work counts now (the job's chaos.delay.work, which a schedule step may change). */
  workMeasure(): WorkMeasure;
}

/**
 * What a JobSession needs of the cluster it holds a turn on (the Cluster implements it): kept
 * here so that the session does not import the cluster that creates it.
 */
export interface SessionHost {
  readonly metrics: MasterMetrics;
  readonly log: Logger;
  readonly store: ParameterStore | undefined;
  readonly shards: ShardedStore;
  /** The master's linear algebra on its compute thread (started at first use). */
  linalg(): Promise<AsyncLinalg>;
  /** The master's long array work on the same thread (master/compute). */
  compute(): Promise<MasterCompute>;
  liveWorkers(): number[];
  /** Places on `live`; a worker whose placement fails goes to `onUnplaced` (see Cluster.place). */
  place(jobId: string, plan: Plan, data: BlockData, live: readonly number[], options?: PlaceOptions, onUnplaced?: (worker: number, why: string) => void): Promise<Placed>;
  round(placed: Placed, payload: TaskPayload | ((slot: number) => TaskPayload), roundNo: number, job: RoundJob, options?: RoundOptions): Promise<RoundOutcome>;
  release(placed: Placed): Promise<void>;
  configureChaos(jobId: string, workers: readonly number[], chaos: WorkerChaos | 'reset'): Promise<void>;
  changeDelay(jobId: string, workers: readonly number[], delay: (worker: number) => DelaySpec, seed: number): Promise<void>;
  dropBlocksOn(jobId: string, worker: number, ids: readonly number[]): Promise<void>;
}
