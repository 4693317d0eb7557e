import type { ZodType, ZodTypeDef } from 'zod';
import type { Logger } from '../../shared/log';
import type { Cluster } from '../cluster/cluster';
import type { JobSession } from '../cluster/job-session';
import type { MasterMetrics } from '../metrics';
import type { FaultExecutorFactory, ScheduleExecutor } from '../cluster/schedule-executor';
import type { KindCheck } from './check-types';
import type { HistoryLog } from './history-log';
import type { JobCheckpoint, JobOutput } from '../state';

export type { JobOutput, OutputTensor } from '../state';

export interface JobProgress {
  round: number;
  maxRounds: number;
  seconds: number;
  /** The job's progress measure (relative gradient norm for least squares). */
  residual: number;
  stragglers: number;
  /** What `round` counts, when not rounds (the inverse counts columns solved). */
  unit?: 'rounds' | 'columns';
}

/** What runJob needs: the long-lived cluster, and how to run the job on it. */
export interface RunContext {
  cluster: Cluster;
  /** Worker indices the job may use (an experiment's smaller runs); default: every live worker. */
  workers?: readonly number[];
  /**
   * How the job's chaos.schedule is carried out: given for local process clusters (pause/kill by
   * signal, restart by spawning), or a container executor. Absent: a schedule is refused.
   */
  chaos?: { processes?: FaultExecutorFactory; executor?: ScheduleExecutor };
  metrics: MasterMetrics;
  log: Logger;
  onProgress?: (p: JobProgress) => void;
  signal?: AbortSignal;
  /**
   * Where the job streams its per-round history as it runs (one JSON line a round); the file is
   * handed back in JobOutput.history, for writeJobOutputs to move into the output folder.
   * Absent: the history is kept only as result.json's bounded sample.
   */
  historyPath?: string;
  /** The job's id (its session's): stable across a master restart when the master keeps --state. */
  jobId?: string;
  /**
   * The job's checkpointer when the master keeps --state: a runner that can resume opens it with
   * its state's schema, resumes from what it restores and offers its state after every round.
   */
  checkpoint?: JobCheckpoint;
}

/** What a job runner sees: its session (workers, rounds, chaos, store), not the long-lived cluster, and its history log. */
export type JobContext = Omit<RunContext, 'cluster' | 'workers' | 'historyPath' | 'jobId'> & { cluster: JobSession; history: HistoryLog };

/** The schema of one job kind's file: a strict zod object with `job: <literal>`. */
export type JobSchema<J> = ZodType<J, ZodTypeDef, unknown>;

/**
 * One job kind, as its folder (master/jobs/<kind>/) exports it: the schema of its job file, the
 * runner, and where to find an example. The table in kinds.ts lists one for every kind of the
 * job union, and the compiler checks it is complete.
 */
export interface JobKindModule<J extends { job: string }, R> {
  schema: JobSchema<J>;
  run(job: J, ctx: JobContext): Promise<JobOutput<R>>;
  /** Its checks before anything starts (see checkJob): data shapes, scheme against the workers, footprint. */
  check: KindCheck<J>;
  /** An example job (or experiment) file of this kind, relative to the package root. */
  example: string;
}
