import type { JobSpec } from '../../shared/config';
import type { Logger } from '../../shared/log';
import type { Cluster } from '../cluster/cluster';
import type { MasterMetrics } from '../metrics';

export interface JobProgress {
  round: number;
  maxRounds: number;
  seconds: number;
  /** The job's progress measure (relative gradient norm for least squares). */
  residual: number;
  stragglers: number;
}

export interface JobContext {
  cluster: Cluster;
  metrics: MasterMetrics;
  log: Logger;
  onProgress?: (p: JobProgress) => void;
  signal?: AbortSignal;
}

/** What a job produces: result.json's object and the tensors to save (file name -> shape + values). */
export interface JobOutput {
  result: Record<string, unknown>;
  tensors: Record<string, { shape: number[]; values: Float64Array }>;
  /** One line for a terminal. */
  summary: string;
}

export type JobRunner<J extends JobSpec = JobSpec> = (job: J, ctx: JobContext) => Promise<JobOutput>;
