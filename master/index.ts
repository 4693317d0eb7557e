/**
 * The master role: registry, placement, the round dispatcher, schemes, algorithms, the
 * parameter store and jobs. Never imports the worker: local clusters start workers as processes.
 *
 *   const lc = await startLocalCluster({ workers: 8 });
 *   // runJob opens the job's session (its turn in the queue, its workers, rounds and chaos):
 *   const out = await runJob(job, { cluster: lc.master.cluster, metrics: lc.master.metrics, log: lc.master.log });
 *   writeJobOutputs(job.out!, out);
 *   await lc.stop();
 */
export { startMaster, DEFAULT_MASTER_OPTIONS, type MasterOptions, type RunningMaster } from './server/master-server';
export { startLocalCluster, type LocalCluster } from './cluster/local-cluster';
export { spawnLocalWorkers, stopProcesses, cliEntry, defaultMaxWorkers, localClusterBytes, LOCAL_WORKERS_LIMIT } from './cluster/local-processes';
export { Cluster } from './cluster/cluster';
export { JobSession, type JobSessionSpec } from './cluster/job-session';
export { WorkerRegistry } from './cluster/registry';
export type { ComputeCluster, PlacedPlan, RoundOutcome, TaskPayload, BlockData, KindName, KindFields } from './cluster/types';
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
export { lookupScheme, chooseScheme, schemeNames, registerScheme, type SchemeChoice, type Scheme } from './schemes';
export { ParameterStore, ParameterVector } from './store';
export { submitJob, newJobId, type SubmitJobOptions } from './client/submit-job';
export { JobManager, ManagedJob, type JobListener } from './server/job-manager';
export { JobStore, type CheckpointOptions } from './state';
export { MasterMetrics } from './metrics';
export { uploadArrays, arrayFromValues, arrayFromNpyFile, type ArraySource, type UploadOptions } from './client/upload-arrays';
export { DEFAULT_MAX_UPLOAD_BYTES, UPLOAD_PREFIX } from './server/uploads';
