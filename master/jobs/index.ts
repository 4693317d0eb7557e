/**
 * Jobs: a validated job spec -> data -> scheme -> algorithm -> result files.
 *
 *   const out = await runJob(job, { cluster, metrics, log });
 *   writeJobOutputs(job.out, out);
 */
import type { JobKind, JobSpec } from '../../shared/config';
import { checkScheduleWorkers, parseChaosSchedule } from '../../shared/chaos';
import { InputError } from '../../shared/errors';
import { ProcessScheduleExecutor, type ScheduleExecutor } from '../cluster/process-chaos';
import { runInverse } from './inverse';
import { runLeastSquares } from './least-squares-job';
import { runStragglerShowdown } from './straggler-showdown-job';
import { runKernelRegression } from './kernel-regression-job';
import { runLogisticRegression } from './logistic-regression-job';
import { runSketchComparison } from './sketch-comparison-job';
import type { JobOutput, JobRunner, RunContext } from './types';

export type { JobContext, JobOutput, JobProgress, JobRunner, RunContext } from './types';
export { writeJobOutputs } from './write-outputs';

const runners = new Map<string, JobRunner<JobSpec>>();

/** Registers the runner of a job kind (job files' `job:` key; its schema is in shared/config/jobs/). */
export function registerJob<K extends JobKind>(name: K, runner: JobRunner<Extract<JobSpec, { job: K }>>): void {
  if (runners.has(name)) throw new Error(`job kind '${name}' registered twice`);
  runners.set(name, runner as JobRunner<JobSpec>);
}

/**
 * Runs a job in its own session: it waits its turn in the master's queue, then owns its workers,
 * rounds, chaos (schedule included) and store until it ends; the session is closed (chaos reset,
 * blocks dropped, next job let in) whatever happens.
 */
export async function runJob(job: JobSpec, ctx: RunContext): Promise<JobOutput> {
  const runner = runners.get(job.job);
  if (!runner) throw new InputError(`no runner for job kind '${job.job}' (known: ${[...runners.keys()].join(', ')})`);
  const events = parseChaosSchedule(job.chaos.schedule);
  let executor: ScheduleExecutor | undefined;
  if (events.length > 0) {
    checkScheduleWorkers(events, ctx.workers?.length ?? ctx.cluster.liveWorkers().length);
    executor =
      ctx.chaos?.executor ??
      (ctx.chaos?.processes ? new ProcessScheduleExecutor(events, ctx.cluster.registry, ctx.chaos.processes, ctx.log) : undefined);
    if (!executor) {
      throw new InputError('chaos.schedule needs a cluster Coda controls: a local cluster (`coda run`), or `coda chaos schedule` beside a compose cluster');
    }
  }
  const { cluster, workers, ...rest } = ctx;
  const session = await cluster.openJob({
    kind: job.job,
    ...(workers ? { workers } : {}),
    ...(executor ? { beforeRound: (round: number) => executor.beforeRound(round) } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  try {
    const out = await runner(job, { ...rest, cluster: session });
    return executor ? { ...out, result: { ...out.result, chaosApplied: executor.applied } } : out;
  } finally {
    await executor?.finish();
    await session.close();
  }
}

registerJob('least-squares', runLeastSquares);
registerJob('straggler-showdown', runStragglerShowdown);
registerJob('sketch-comparison', runSketchComparison);
registerJob('inverse', runInverse);
registerJob('pseudoinverse', runInverse);
registerJob('logistic-regression', runLogisticRegression);
registerJob('kernel-regression', runKernelRegression);
