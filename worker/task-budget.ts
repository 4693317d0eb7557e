import { availableMemory } from 'node:process';
import { ResourceError } from '../shared/errors';
// Not the wire's index: compute threads import this module, and the index loads grpc-js and the protos.
import { MAX_SEND_BYTES } from '../shared/wire/limits';

/**
 * What one task may allocate and answer with, checked before it allocates: a task whose result
 * would not fit in a message (the server's send limit), or whose scratch would take more than
 * the per-task memory budget, is refused (RESOURCE_EXHAUSTED: the job's input is too large for
 * it) instead of growing the worker until it dies.
 */
export interface TaskBudget {
  /** Bytes of one answer's tensor (a little under the message limit: the answer has a header too). */
  resultBytes: number;
  /** Bytes one task may allocate for its result and scratch together. */
  memoryBytes: number;
  /** Bytes one placed block may take (its header announces them before any data arrives). */
  blockBytes: number;
}

/**
 * 1 GiB a task, or a quarter of the memory available when the worker starts, whichever is less;
 * a block up to half the available memory.
 */
export function defaultTaskBudget(): TaskBudget {
  const available = availableMemory();
  return { resultBytes: MAX_SEND_BYTES - (64 << 10), memoryBytes: Math.min(1 << 30, Math.floor(available / 4)), blockBytes: Math.floor(available / 2) };
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;
}

/**
 * A Float64Array of n values, if the budget allows: `result` counts it against the message limit
 * too. `what` names it in the refusal ("countSketch: the width × d sketch").
 */
export function allocate(budget: TaskBudget, n: number, what: string, result = false): Float64Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new ResourceError(`${what}: ${n} values is not a size`);
  const bytes = 8 * n;
  if (result && bytes > budget.resultBytes) throw new ResourceError(`${what}: the answer would be ${mb(bytes)}, over the ${mb(budget.resultBytes)} a message carries`);
  if (bytes > budget.memoryBytes) throw new ResourceError(`${what}: needs ${mb(bytes)}, over the worker's ${mb(budget.memoryBytes)} budget for one task`);
  return new Float64Array(n);
}
