import { performance } from 'node:perf_hooks';
import { InputError, UnsupportedError } from '../shared/errors';
import type { Logger } from '../shared/log';
import { float64ToBytes } from '../shared/tensor';
import type { pb } from '../shared/wire';
import type { MasterAccess, ParamAccess } from './alpha-sources';
import { LOOP_KINDS, type LoopKindName } from './async-task';
import type { ChaosInjector } from './chaos-injector';
import type { ComputeEngine } from './compute';
import type { CorePool } from './core-pool';
import { PROCESS_LOOP_LAG } from './loop-lag';
import type { WorkerMetrics } from './metrics';
import { kindSpec } from './task-kinds';
import type { TaskCancellation } from './task-cancel';

/** What became of a task: an answer, a failure to report, or nothing to send (cancelled, dropped, hung). */
export type TaskOutcome =
  | { type: 'result'; result: pb.TaskResult }
  /** `error`: a CodaError travels as its class's status (the error table); anything else as INTERNAL. */
  | { type: 'failure'; error: unknown }
  | { type: 'silent' };

export interface RunnerDeps {
  compute: ComputeEngine;
  chaos: ChaosInjector;
  cores: CorePool;
  metrics: WorkerMetrics;
  log: Logger;
  index: () => number;
  master?: () => MasterAccess | undefined;
  params?: ParamAccess;
  /** A crash fault: ends this worker service (and its process when it is the process's only one). */
  crash: () => void;
}

/**
 * Runs one task: fault and delay drawn on arrival, a core taken (worker-round model), the delay
 * slept, the kind computed (on the service's compute thread, or orchestrated here for a loop kind),
 * the core given back. Every wait ends early when `cancel` aborts (the master cancelled the slot,
 * or the stream that carried it ended); a computation already on the thread is told to stop and
 * its answer, if it still comes, is dropped.
 */
export async function runTask(deps: RunnerDeps, req: pb.TaskRequest__Output, cancel: TaskCancellation): Promise<TaskOutcome> {
  const kind = req.kind ?? 'none';
  const spec = kindSpec(kind);
  if (!spec) return { type: 'failure', error: new UnsupportedError(`unknown task kind '${kind}'`) };
  // The work scales the injected delay: NaN, infinite or negative work would make it NaN or
  // infinite (a sleep Node cuts to 1 ms, a NaN metric). The worker does not trust the master to have checked.
  if (!Number.isFinite(req.work) || req.work < 0) return { type: 'failure', error: new InputError(`task work must be a finite number ≥ 0, got ${req.work}`) };
  const { chaos, metrics, log } = deps;
  const perIteration = req.workPerIteration ?? 0;
  if (!Number.isFinite(perIteration) || perIteration < 0) return { type: 'failure', error: new InputError(`task work per iteration must be a finite number ≥ 0, got ${perIteration}`) };
  const received = performance.now();
  PROCESS_LOOP_LAG.open(req.jobId);
  // A kind that draws its delays per iteration (a loop kind) pays none for the task itself. A task
  // whose work is counted in iterations (a column solve) learns it only at its end: the round's
  // draw now, slept after computing (workDone).
  const { delay: drawn, fault } = spec.delay === 'task' ? chaos.next(`${req.jobId}\u0000${req.round}`, perIteration > 0 ? 1 : req.work) : { delay: 0, fault: chaos.nextFault() };
  let delay = perIteration > 0 ? 0 : drawn;
  if (fault === 'crash') {
    log.warn({ round: req.round }, 'injected crash');
    deps.crash();
    return { type: 'silent' };
  }
  const pool = chaos.sequential ? deps.cores : undefined;
  if (pool) pool.size = chaos.cores;
  // A free core is taken at once (no promise to wait on: the common case of a task a round).
  if (pool && (cancel.aborted || !pool.tryAcquire()) && !(await pool.acquire(cancel.signal))) {
    metrics.tasks.inc({ kind, outcome: 'cancelled' });
    return { type: 'silent' };
  }
  let held = !!pool;
  try {
    let queued = (performance.now() - received) / 1000;
    if (fault === 'hang') {
      // A hung worker: it holds its core and never answers; the master's cancel (or its task
      // deadline) ends the task.
      metrics.tasks.inc({ kind, outcome: 'hung' });
      await untilAborted(cancel.signal);
      return { type: 'silent' };
    }
    if (spec.delay === 'task') {
      // No timer to wait for (no delay, or one planned to none): no promise either.
      const sleeping = chaos.sleepOrNow(delay, cancel);
      const slept = typeof sleeping === 'boolean' ? sleeping : await sleeping;
      if (perIteration === 0) metrics.injectedDelaySeconds.observe({ kind }, delay);
      if (!slept) {
        metrics.tasks.inc({ kind, outcome: 'cancelled' });
        return { type: 'silent' };
      }
    }
    const start = performance.now();
    let value: { shape: number[]; values: Float64Array; iterations?: number } | null;
    let compute: number;
    if (spec.runs === 'thread') {
      const a = await deps.compute.run(req, cancel.signal);
      value = a;
      compute = a?.computeSeconds ?? 0;
      queued += a?.waitedSeconds ?? 0;
    } else if (kind === 'noop') {
      // Nothing to run: its constant answer, without the loop context a loop kind is handed.
      value = NOOP_ANSWER;
      compute = (performance.now() - start) / 1000;
    } else {
      const master = deps.master?.();
      value = await LOOP_KINDS[kind as LoopKindName]({
        request: req,
        compute: deps.compute,
        signal: cancel.signal,
        ...(master ? { master } : {}),
        ...(deps.params ? { params: deps.params } : {}),
        nextDelay: () => chaos.sample(),
        sleep: (s: number) => chaos.sleep(s, cancel.signal),
      });
      compute = (performance.now() - start) / 1000;
    }
    metrics.computeSeconds.observe({ kind }, compute);
    if (perIteration > 0 && value && !cancel.aborted) {
      delay = drawn * workDone(perIteration, value);
      metrics.injectedDelaySeconds.observe({ kind }, delay);
      if (!(await chaos.sleep(delay, cancel.signal))) {
        metrics.tasks.inc({ kind, outcome: 'cancelled' });
        return { type: 'silent' };
      }
    }
    if (held) pool!.release();
    held = false;
    if (fault === 'drop') {
      metrics.tasks.inc({ kind, outcome: 'dropped' });
      await untilAborted(cancel.signal);
      return { type: 'silent' };
    }
    if (!value || cancel.aborted) {
      metrics.tasks.inc({ kind, outcome: 'cancelled' });
      return { type: 'silent' };
    }
    metrics.tasks.inc({ kind, outcome: 'ok' });
    const lag = PROCESS_LOOP_LAG.of(req.jobId);
    return {
      type: 'result',
      result: {
        workerIndex: deps.index(),
        jobId: req.jobId,
        round: req.round,
        slot: req.slot,
        timings: { computeSeconds: compute, injectedDelaySeconds: delay, queueSeconds: queued, loopLagP99Seconds: lag.p99, loopLagMaxSeconds: lag.max },
        payload: { shape: value.shape, data: float64ToBytes(value.values) },
      },
    };
  } catch (e) {
    metrics.tasks.inc({ kind, outcome: 'error' });
    log.error({ err: (e as Error).message, kind }, 'task failed');
    if (cancel.aborted) return { type: 'silent' };
    return { type: 'failure', error: e };
  } finally {
    if (held) pool!.release();
  }
}

/** A no-op task's answer: no values (shared by every no-op task; nothing writes to it). */
const NOOP_ANSWER: { shape: number[]; values: Float64Array } = Object.freeze({ shape: Object.freeze([0]) as number[], values: new Float64Array(0) });

/** Resolves once `signal` aborts (a hung or dropping task waits for the master's cancel). */
function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
}

/**
 * The work of a task counted in iterations, once it has run: its work per iteration (sent by the
 * master) × the iterations it reports (a column solve: the sum of its columns' iterations).
 */
export function workDone(perIteration: number, result: { iterations?: number }): number {
  return perIteration * Math.max(0, result.iterations ?? 0);
}
