import { checkScheduleWorkers, checkWorkerIndices, isDelayChange, parseChaosSchedule, type FaultEvent } from '../../shared/chaos';
import { InputError } from '../../shared/errors';
import { EventLoopLagMonitor, type EventLoopLag } from '../../shared/metrics';
import { DelayScheduleRunner } from '../cluster/delay-schedule';
import type { JobSession } from '../cluster/job-session';
import type { ScheduleExecutor } from '../cluster/schedule-executor';
import type { JobKind, JobSpec } from './job-schema';
import { JOB_KINDS, type JobResultOf } from './kinds';
import { JsonlFile, NO_HISTORY } from './history-log';
import type { JobContext, JobOutput, RunContext } from './types';
import type { RestartRecord } from '../state';

/** result.json's type for a job (the union of the kinds' results when the kind is not known statically). */
export type ResultOf<J extends JobSpec> = (J extends { job: infer K extends JobKind } ? JobResultOf<K> : never) & ChaosApplied & Recovered & Lagged;

/** What runJob adds to every result: the chaos schedule's events as carried out (when it had one). */
export type ChaosApplied = { chaosApplied?: string[] };

/** What runJob adds to the result of a job a restarted master resumed: each restart, and where it went on from. */
export type Recovered = { recovery?: { restarts: RestartRecord[] } };

/**
 * The health figure runJob adds to every result: how late the master's event loop (the one that
 * answers gRPC, keepalives and heartbeats) ran its timers while the job held the cluster, p99 and
 * max in seconds beyond the 10 ms sampling interval; and the worst over the job's workers.
 */
export type EventLoopLagReport = {
  master: EventLoopLag;
  /** Worst p99 and worst max over the job's workers; null while the workers do not report it (note says why). */
  workers: EventLoopLag | null;
  note?: string;
};
export type Lagged = { eventLoopLag: EventLoopLagReport };

/** A master event-loop lag above this is logged as a warning (the goal: below 50 ms in any example job). */
export const MASTER_LAG_WARN_SECONDS = 0.05;

/** Why result.json's eventLoopLag.workers is null: the job's rounds brought no answer (each answer carries its worker's lag). */
export const WORKER_LAG_UNREPORTED = 'no worker answered a task of this job';

/** Runs `job` with the runner of its kind (looked up in the table, typed per kind). */
function runKind<J extends JobSpec>(job: J, ctx: JobContext): Promise<JobOutput<ResultOf<J>>> {
  // The one cast: TypeScript cannot tie the table entry picked by `job.job` to J's own kind
  // (microsoft/TypeScript#30581); kinds.ts's `satisfies` checks each entry against its kind.
  const kind = JOB_KINDS[job.job] as unknown as { run(job: J, ctx: JobContext): Promise<JobOutput<ResultOf<J>>> };
  return kind.run(job, ctx);
}

/**
 * Runs a job in its own session: it waits its turn in the master's queue, then owns its workers,
 * rounds, chaos (schedule included) and store until it ends; the session is closed (chaos reset,
 * blocks dropped, next job let in) whatever happens.
 */
export async function runJob<J extends JobSpec>(job: J, ctx: RunContext): Promise<JobOutput<ResultOf<J>>> {
  const events = parseChaosSchedule(job.chaos.schedule);
  // The indices the job really runs on (a master's lowest live workers may leave a gap).
  const jobWorkers = ctx.workers ?? ctx.cluster.liveWorkers();
  checkScheduleWorkers(events, jobWorkers);
  if (job.chaos.workers) checkWorkerIndices(job.chaos.workers, jobWorkers, 'chaos.workers');
  const faults = events.filter((e): e is FaultEvent => !isDelayChange(e));
  const delays = events.filter(isDelayChange);
  let executor: ScheduleExecutor | undefined;
  if (faults.length > 0) {
    executor =
      ctx.chaos?.executor ??
      (ctx.chaos?.processes ? ctx.chaos.processes(faults, ctx.cluster.registry, ctx.log) : undefined);
    if (!executor) {
      throw new InputError('chaos.schedule needs a cluster Coda controls: a local cluster (`coda run`), or `coda chaos schedule` beside a compose cluster');
    }
  }
  let session: JobSession | undefined;
  const delayRunner = delays.length > 0 ? new DelayScheduleRunner(delays, () => session!, ctx.log) : undefined;
  const runners = [delayRunner, executor].filter((r): r is ScheduleExecutor => r !== undefined);
  const { cluster, workers, historyPath, jobId, ...rest } = ctx;
  session = await cluster.openJob({
    kind: job.job,
    ...(jobId ? { id: jobId } : {}),
    ...(workers ? { workers } : {}),
    ...(runners.length > 0
      ? {
          beforeRound: async (round: number) => {
            for (const r of runners) await r.beforeRound(round);
          },
        }
      : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const ck = ctx.checkpoint;
  if (ck) {
    // A resumed job's rounds go on counting where they stopped (chaos schedules count in them).
    session.rounds = ck.savedSessionRounds;
    ck.sessionRounds = () => session.rounds;
  }
  let history: JsonlFile | undefined;
  let kept = false;
  // The master's event-loop lag over the job's hold on the cluster (its wait in the queue excluded).
  const lag = new EventLoopLagMonitor().start();
  try {
    history = historyPath ? new JsonlFile(historyPath) : undefined;
    const out = await runKind(job, { ...rest, cluster: session, history: history ?? NO_HISTORY });
    history?.close();
    const master = lag.stop();
    if (master.max > MASTER_LAG_WARN_SECONDS) {
      ctx.log.warn({ job: session.id, p99: master.p99, max: master.max }, `the master's event loop was held up ${(master.max * 1000).toFixed(0)} ms at worst during the job`);
    }
    const workersLag = session.workerEventLoopLag();
    const eventLoopLag: EventLoopLagReport = workersLag ? { master, workers: workersLag } : { master, workers: null, note: WORKER_LAG_UNREPORTED };
    // A kind that streams no history leaves no file; a failed run leaves none either (finally).
    kept = !!history && history.lines > 0;
    const streamed = history && kept ? { history: { path: history.path, rounds: history.lines } } : {};
    const restarts = ck?.restarts ?? [];
    return {
      ...out,
      ...streamed,
      result: {
        ...out.result,
        ...(runners.length > 0 ? { chaosApplied: inTimeOrder(runners.flatMap((r) => r.applied)) } : {}),
        ...(restarts.length > 0 ? { recovery: { restarts } } : {}),
        eventLoopLag,
      },
    };
  } finally {
    lag.stop();
    if (!kept) history?.discard();
    for (const r of runners) await r.finish();
    await session.close();
  }
}

/** The schedule's lines of several runners, by their `[chaos t=…s]` stamp. */
function inTimeOrder(lines: string[]): string[] {
  const t = (l: string): number => Number(/t=([0-9.]+)s/.exec(l)?.[1] ?? 0);
  return [...lines].sort((a, b) => t(a) - t(b));
}
