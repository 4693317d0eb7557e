import type { Kernels } from '../../shared/kernels';
import type { pb } from '../../shared/wire';
import type { StoredBlock } from '../block-store';

/**
 * The task kinds and where each runs. Every kind of the proto's TaskRequest.kind has one row (the
 * compiler checks the table is complete):
 *
 *   runs: 'thread'     the whole task runs on the worker service's compute thread (its handler
 *                      in handlers.ts, over the thread's view of the blocks);
 *         'loop'       the task is orchestrated on the event loop (it talks to other processes
 *                      between computations) and sends each computation to the thread
 *                      (eigenproAsync: read α from the owners, step on the thread, write), or it
 *                      computes nothing at all (noop: a hop to the thread and back would be the
 *                      whole of its cost, and it is what the round-overhead bench measures);
 *   delay: 'task'      the injected delay is drawn and slept before the task (the worker-round
 *                      or per-task model, chaos-injector.ts);
 *          'iteration' the kind draws its own delay per iteration and the task pays none.
 */
export type TaskKindName = NonNullable<pb.TaskRequest__Output['kind']>;

export interface KindSpec {
  runs: 'thread' | 'loop';
  delay: 'task' | 'iteration';
}

const THREAD = { runs: 'thread', delay: 'task' } as const;

export const KINDS = Object.freeze({
  noop: { runs: 'loop', delay: 'task' },
  matvec: THREAD,
  mattvec: THREAD,
  lsGradient: THREAD,
  gram: THREAD,
  countSketch: THREAD,
  logisticGradient: THREAD,
  localNewton: THREAD,
  logisticLoss: THREAD,
  solveColumns: THREAD,
  eigenproSetup: THREAD,
  eigenproStep: THREAD,
  eigenproAsync: { runs: 'loop', delay: 'iteration' },
} as const satisfies Record<TaskKindName, KindSpec>);

/** The spec of a kind named on the wire, or undefined for a name that is no kind. */
export function kindSpec(kind: string): KindSpec | undefined {
  return Object.prototype.hasOwnProperty.call(KINDS, kind) ? KINDS[kind as TaskKindName] : undefined;
}

/** The kinds that run whole on the compute thread. */
export type ThreadKindName = { [K in TaskKindName]: (typeof KINDS)[K]['runs'] extends 'thread' ? K : never }[TaskKindName];

/** What a thread kind's handler gets: the task's weighted blocks, resolved, and the request. */
export interface TaskContext {
  request: pb.TaskRequest__Output;
  blocks: { block: StoredBlock; weight: number; id: number }[];
  /** The kernel backend this worker computes with (native OpenBLAS or the plain loops). */
  kernels: Kernels;
  /** Aborted when the master cancels the task (a straggler cut off): long kinds stop early. */
  signal?: AbortSignal;
  /**
   * Allocates n float64 values within the task's budget (worker/task-budget.ts), refusing before
   * it allocates: `result` when the values are the answer (they must fit in a message).
   */
  allocate(n: number, what: string, result?: boolean): Float64Array;
}

/** The result of a kind: the payload tensor (shape + values). */
export interface KindResult {
  shape: number[];
  values: Float64Array;
  /** Iterations the task did, for a task whose work is known only when it ends (a column solve's column iterations). */
  iterations?: number;
}

/**
 * A thread kind's computation. Long kinds return a promise and yield now and then, so a cancel
 * (a message to the thread) reaches them and they stop early.
 */
export type KindHandler = (ctx: TaskContext) => KindResult | Promise<KindResult>;
