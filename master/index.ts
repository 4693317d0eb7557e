/**
 * The master role, I/O only: registry, worker clients, the round dispatcher, job sessions, the
 * parameter store, jobs, server and state (the pure parts are in core/, the algorithms in
 * algorithms/). Never imports the worker: local clusters (launcher/) start workers as processes.
 *
 *   const lc = await startLocalCluster({ workers: 8 });            // launcher/
 *   // runJob opens the job's session (its turn in the queue, its workers, rounds and chaos):
 *   const out = await runJob(job, { cluster: lc.master.cluster, metrics: lc.master.metrics, log: lc.master.log });
 *   writeJobOutputs(job.out!, out);
 *   await lc.stop();
 */
export { startMaster, DEFAULT_MASTER_OPTIONS, type MasterOptions, type RunningMaster } from './server/master-server';
export { Cluster } from './cluster/cluster';
export { JobSession, type JobSessionSpec } from './cluster/job-session';
export { WorkerRegistry } from './cluster/registry';
export type { ComputeCluster, PlacedPlan, RoundOutcome, TaskPayload, BlockData, KindName, KindFields } from '../algorithms/compute-cluster';
export {
  runJob,
  writeJobOutputs,
  parseJob,
  parseJobOf,
  jobFrom,
  jobOf,
  loadJobFile,
  jobSchema,
  JOB_KINDS,
  type JobSpec,
  type JobSpecOf,
  type JobKind,
  type JobInput,
  type JobOutput,
  type JobProgress,
  type JobContext,
  type RunContext,
  type JobResultOf,
  type ResultOf,
  kernelModelSchema,
  type KernelModelFile,
  checkJob,
  machineAvailableBytes,
  formatBytes,
  type CheckOptions,
} from './jobs';
export { lookupScheme, chooseScheme, schemeNames, registerScheme, type SchemeChoice, type Scheme } from '../core/schemes';
export { ParameterStore, ParameterVector } from './store';
export { JobManager, ManagedJob, type JobListener } from './server/job-manager';
export { JobStateDir, type CheckpointOptions } from './state';
export { MasterMetrics } from './metrics';
export { DEFAULT_MAX_UPLOAD_BYTES, UPLOAD_PREFIX } from './server/uploads';
