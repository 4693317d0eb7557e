import type { DelaySpec, FaultSpec } from '../../shared/chaos';
import type { Plan } from '../../core/schemes';
import type { BlockData, PlaceOptions, RoundOptions, RoundOutcome, TaskPayload } from '../../algorithms/compute-cluster';
import type { ParameterStore, ShardedStore } from '../store';
import type { Placed } from './placed-plan';
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

/**
 * What a JobSession needs of the cluster it holds a turn on (the Cluster implements it): kept
 * here so that the session does not import the cluster that creates it.
 */
export interface SessionHost {
  readonly store: ParameterStore | undefined;
  readonly shards: ShardedStore;
  liveWorkers(): number[];
  place(jobId: string, plan: Plan, data: BlockData, live: readonly number[], options?: PlaceOptions): Promise<Placed>;
  round(
    placed: Placed,
    payload: TaskPayload | ((slot: number) => TaskPayload),
    roundNo: number,
    live: () => number[],
    labels: { job_kind: string; job_id: string },
    options?: RoundOptions,
    /** What a task's work counts (chaos.delay.work; default ops). */
    measure?: WorkMeasure,
  ): Promise<RoundOutcome>;
  release(placed: Placed): Promise<void>;
  configureChaos(jobId: string, workers: readonly number[], chaos: WorkerChaos | 'reset'): Promise<void>;
  changeDelay(jobId: string, workers: readonly number[], delay: (worker: number) => DelaySpec, seed: number): Promise<void>;
  dropBlocksOn(jobId: string, worker: number, ids: readonly number[]): Promise<void>;
}
