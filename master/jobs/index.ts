/**
 * Jobs: a validated job spec -> data -> scheme -> algorithm -> result files. One folder a kind
 * (<kind>/: its schema, runner and typed result), registered in kinds.ts.
 *
 *   const job = loadJobFile('examples/straggler-showdown.yaml');
 *   const out = await runJob(job, { cluster, metrics, log });   // out.result typed per kind
 *   writeJobOutputs(job.out, out);
 */
export type { JobContext, JobOutput, JobProgress, RunContext, JobKindModule, OutputTensor } from './types';
export { jobSchema, type JobSpec, type JobInput, type JobKind, type JobSpecOf } from './job-schema';
export { JOB_KINDS, type JobResultOf } from './kinds';
export { parseJob, parseJobOf, jobFrom, jobOf, loadJobFile } from './job-file';
export { runJob, type ResultOf } from './run-job';
export { writeJobOutputs } from '../state';
export { JsonlFile, NO_HISTORY, type HistoryLog } from './history-log';
export { checkJob, machineAvailableBytes, formatBytes, type CheckOptions, type JobCheckResult } from './check-job';
export type { CheckContext, Footprint, KindCheck, Shape } from './check-types';
export * from './least-squares';
export * from './inverse';
export * from './sketch-comparison';
export * from './logistic-regression';
export * from './kernel-regression';
export * from './straggler-showdown';
