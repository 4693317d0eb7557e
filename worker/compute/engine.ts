import type { pb } from '../../shared/wire';
import type { StoredBlock } from '../block-store';
import type { SharedSlice } from '../shared-slice';
import type { StepOutcome } from '../task-kinds';

/**
 * Where a worker service computes: `thread` (the default), a worker_threads thread of its own,
 * its blocks in shared memory, so the event loop only receives, queues, injects the delay, answers
 * and cancels; or `inline`, on the event loop itself (the reference the thread is tested against,
 * and what a worker did before it had threads).
 */
export type ComputeMode = 'thread' | 'inline';

/** A thread kind's answer and where its time went. */
export interface ComputeAnswer {
  shape: number[];
  values: Float64Array;
  computeSeconds: number;
  /** Waiting for the compute thread (busy finishing an earlier, cancelled task). */
  waitedSeconds: number;
  /** Iterations the task did, when its work is counted in them (a column solve's column iterations). */
  iterations?: number;
}

/** The compute side of one AsyncEigenPro loop, as the loop on the event loop drives it. */
export interface LoopHandle {
  /** The own data slice [start, end), the number of centers n, the batch m. */
  readonly start: number;
  readonly end: number;
  readonly centers: number;
  readonly batch: number;
  /** α as the next step reads it: the loop fills it (shared with the compute thread). */
  readonly alpha: Float64Array;
  /** One step on a fresh batch (fixed > 0: that step; else the staleness-aware one at τ̂); `write`: into the own slice at once. */
  step(fixed: number, tauHat: number, write: boolean): Promise<StepOutcome>;
  /** Writes the last step's change into the own slice, in place. */
  writeOwn(): Promise<{ version: number; writtenAtUs: number }>;
  /** The last step's change (the master's store). */
  takeDelta(): Promise<Float64Array>;
  close(): void;
}

export interface LoopRequest {
  jobId: string;
  ownBlock: number;
  seed: string;
  batchSize: number;
  /** The own slice of the sharded store (absent: the master's store). */
  slice?: SharedSlice;
  describeSlice: string;
}

export interface ComputeEngine {
  readonly mode: ComputeMode;
  /** Memory for a block: shared with the thread (placed once, never copied), or the backend's own inline. */
  allocate(bytes: number): ArrayBuffer | SharedArrayBuffer;
  /** The block store's changes, so the compute side sees the same blocks. */
  blockPut(jobId: string, id: number, block: StoredBlock): void;
  blockDrop(jobId: string, ids: readonly number[] | null): void;
  blockClear(): void;
  /** Runs a thread kind; null when `signal` aborts first (the answer, if it comes, is dropped). */
  run(request: pb.TaskRequest__Output, signal: AbortSignal): Promise<ComputeAnswer | null>;
  openLoop(o: LoopRequest): Promise<LoopHandle>;
  /** Ends the compute side (drain, or a crash of this service): whatever is pending fails. */
  close(): Promise<void>;
}
