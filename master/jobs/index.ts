/**
 * Jobs: a validated job spec -> data -> scheme -> algorithm -> result files.
 *
 *   const out = await runJob(job, { cluster, metrics, log });
 *   writeJobOutputs(job.out, out);
 */
import type { JobSpec } from '../../shared/config';
import { InputError } from '../../shared/errors';
import { runLeastSquares } from './least-squares-job';
import type { JobContext, JobOutput, JobRunner } from './types';

export type { JobContext, JobOutput, JobProgress, JobRunner } from './types';
export { writeJobOutputs } from './write-outputs';

const runners = new Map<string, JobRunner>([['least-squares', runLeastSquares]]);

/** Registers a job kind (job files' `job:` key). */
export function registerJob(name: string, runner: JobRunner): void {
  if (runners.has(name)) throw new Error(`job kind '${name}' registered twice`);
  runners.set(name, runner);
}

export function runJob(job: JobSpec, ctx: JobContext): Promise<JobOutput> {
  const runner = runners.get(job.job);
  if (!runner) throw new InputError(`unknown job kind '${job.job}' (known: ${[...runners.keys()].join(', ')})`);
  return runner(job, ctx);
}
