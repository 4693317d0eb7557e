import type { pb } from '../../shared/wire';

/**
 * The messages between a worker service's event loop and its compute thread (thread-engine.ts,
 * thread-main.ts). Blocks and slices travel as SharedArrayBuffers (placed once, never copied);
 * a task's request is copied (its inputs are small); an answer's values are transferred.
 *
 * Every request but `put`, `drop`, `clear` and `abort` carries an id and gets exactly one reply
 * with that id, `ok` or `error`.
 */

/** A Float64Array's place in a shared buffer. */
export interface SharedView {
  buffer: SharedArrayBuffer;
  byteOffset: number;
  length: number;
}

export interface BlockMessage {
  jobId: string;
  id: number;
  rowOffset: number;
  rows: number;
  cols: number;
  a: SharedView;
  rhs?: SharedView;
}

/** The own slice of an AsyncEigenPro loop, for the thread to write in place. */
export interface SliceMessage {
  buffer: SharedArrayBuffer;
  start: number;
  length: number;
  describe: string;
}

export type ToThread =
  | { t: 'put'; block: BlockMessage }
  | { t: 'drop'; jobId: string; ids: number[] | null }
  | { t: 'clear' }
  | { t: 'abort'; id: number }
  | { t: 'run'; id: number; request: pb.TaskRequest__Output; postedAtMs: number }
  | { t: 'loopOpen'; id: number; loop: number; jobId: string; ownBlock: number; seed: string; batchSize: number; slice?: SliceMessage }
  | { t: 'loopStep'; id: number; loop: number; fixed: number; tauHat: number; write: boolean }
  | { t: 'loopWrite'; id: number; loop: number }
  | { t: 'loopTake'; id: number; loop: number }
  | { t: 'loopClose'; loop: number };

/** An error as it crosses threads: its class names (most specific first) and message. */
export interface ErrorMessage {
  names: string[];
  message: string;
}

export type FromThread = { t: 'ok'; id: number; value: unknown } | { t: 'error'; id: number; error: ErrorMessage };

/** The answer of a `run`. */
export interface RunAnswer {
  shape: number[];
  values: Float64Array;
  computeMs: number;
  /** From the loop posting the task to the thread starting it (the thread busy with an earlier one). */
  waitedMs: number;
  /** Iterations the task did, when its work is counted in them (KindResult.iterations). */
  iterations?: number;
}

/** The answer of a `loopOpen`: the slice the loop steps on, and α shared with the event loop. */
export interface LoopOpened {
  start: number;
  end: number;
  centers: number;
  batch: number;
  alpha: SharedArrayBuffer;
}

/** What the thread needs to start: the kernel backend to load and the task budget. */
export interface ThreadData {
  kernels: 'native' | 'js';
  addon: string;
  budget: { resultBytes: number; memoryBytes: number; blockBytes: number };
  /** Step AsyncEigenPro loops under SCHED_IDLE (loop-priority.ts; WorkerOptions.loopCompute). */
  loopIdle?: boolean;
}
