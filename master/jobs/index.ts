/**
 * Jobs: a validated job spec -> data -> scheme -> algorithm -> result files.
 *
 *   const out = await runJob(job, { cluster, metrics, log });
 *   writeJobOutputs(job.out, out);
 */
import type { JobKind, JobSpec } from '../../shared/config';
import { InputError } from '../../shared/errors';
import { runInverse } from './inverse';
import { runLeastSquares } from './least-squares-job';
import { runSketchComparison } from './sketch-comparison-job';
import type { JobContext, JobOutput, JobRunner } from './types';

export type { JobContext, JobOutput, JobProgress, JobRunner } from './types';
export { writeJobOutputs } from './write-outputs';

const runners = new Map<string, JobRunner<JobSpec>>();

/** Registers the runner of a job kind (job files' `job:` key; its schema is in shared/config/jobs/). */
export function registerJob<K extends JobKind>(name: K, runner: JobRunner<Extract<JobSpec, { job: K }>>): void {
  if (runners.has(name)) throw new Error(`job kind '${name}' registered twice`);
  runners.set(name, runner as JobRunner<JobSpec>);
}

export function runJob(job: JobSpec, ctx: JobContext): Promise<JobOutput> {
  const runner = runners.get(job.job);
  if (!runner) throw new InputError(`no runner for job kind '${job.job}' (known: ${[...runners.keys()].join(', ')})`);
  return runner(job, ctx);
}

registerJob('least-squares', runLeastSquares);
registerJob('sketch-comparison', runSketchComparison);
registerJob('inverse', runInverse);
registerJob('pseudoinverse', runInverse);
