/**
 * Jobs: a validated job spec -> data -> scheme -> algorithm -> result files.
 *
 *   const out = await runJob(job, { cluster, metrics, log });
 *   writeJobOutputs(job.out, out);
 */
import type { JobKind, JobSpec } from '../../shared/config';
import { checkScheduleWorkers, parseChaosSchedule } from '../../shared/chaos';
import { InputError } from '../../shared/errors';
import { ProcessScheduleExecutor } from '../cluster/process-chaos';
import { runInverse } from './inverse';
import { runLeastSquares } from './least-squares-job';
import { runStragglerShowdown } from './straggler-showdown-job';
import { runKernelRegression } from './kernel-regression-job';
import { runLogisticRegression } from './logistic-regression-job';
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

export async function runJob(job: JobSpec, ctx: JobContext): Promise<JobOutput> {
  const runner = runners.get(job.job);
  if (!runner) throw new InputError(`no runner for job kind '${job.job}' (known: ${[...runners.keys()].join(', ')})`);
  const events = parseChaosSchedule(job.chaos.schedule);
  if (events.length === 0) return runner(job, ctx);
  checkScheduleWorkers(events, ctx.cluster.liveWorkers().length);
  const executor =
    ctx.chaos?.executor ??
    (ctx.chaos?.processes ? new ProcessScheduleExecutor(events, ctx.cluster.registry, ctx.chaos.processes, ctx.log) : undefined);
  if (!executor) {
    throw new InputError('chaos.schedule needs a cluster Coda controls: a local cluster (`coda run`), or `coda chaos schedule` beside a compose cluster');
  }
  ctx.cluster.beforeRound = (round) => executor.beforeRound(round);
  try {
    const out = await runner(job, ctx);
    return { ...out, result: { ...out.result, chaosApplied: executor.applied } };
  } finally {
    ctx.cluster.beforeRound = undefined;
    await executor.finish();
  }
}

registerJob('least-squares', runLeastSquares);
registerJob('straggler-showdown', runStragglerShowdown);
registerJob('sketch-comparison', runSketchComparison);
registerJob('inverse', runInverse);
registerJob('pseudoinverse', runInverse);
registerJob('logistic-regression', runLogisticRegression);
registerJob('kernel-regression', runKernelRegression);
