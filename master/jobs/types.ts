import type { JobSpec } from '../../shared/config';
import type { Logger } from '../../shared/log';
import type { Cluster } from '../cluster/cluster';
import type { JobSession } from '../cluster/job-session';
import type { MasterMetrics } from '../metrics';
import type { ProcessControl, ScheduleExecutor } from '../cluster/process-chaos';

export interface JobProgress {
  round: number;
  maxRounds: number;
  seconds: number;
  /** The job's progress measure (relative gradient norm for least squares). */
  residual: number;
  stragglers: number;
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
  chaos?: { processes?: ProcessControl; executor?: ScheduleExecutor };
  metrics: MasterMetrics;
  log: Logger;
  onProgress?: (p: JobProgress) => void;
  signal?: AbortSignal;
}

/** What a job runner sees: its session (workers, rounds, chaos, store), not the long-lived cluster. */
export type JobContext = Omit<RunContext, 'cluster' | 'workers'> & { cluster: JobSession };

/** What a job produces: result.json's object and the tensors to save (file name -> shape + values). */
export interface JobOutput {
  result: Record<string, unknown>;
  tensors: Record<string, { shape: number[]; values: Float64Array }>;
  /** One line for a terminal. */
  summary: string;
  /** Extra text files to write beside result.json (e.g. a model description), by file name. */
  files?: Record<string, string>;
}

export type JobRunner<J extends JobSpec = JobSpec> = (job: J, ctx: JobContext) => Promise<JobOutput>;
