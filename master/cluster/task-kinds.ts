import type { pb } from '../../shared/wire';
import type { KindName } from '../../algorithms/compute-cluster';

/**
 * Every task kind of the contract (proto TaskRequest's `kind` oneof), as the master sends it: one
 * entry a kind, and the type makes the compiler refuse a kind of the contract without one (as
 * master/jobs/kinds.ts does for job kinds). What a kind's task carries is read from its generated
 * message, so a payload never states it twice.
 *
 * The worker's side (its handlers) is worker/task-kinds/.
 */
export interface TaskKindEntry<K extends KindName> {
  /** Doubles the task's message carries to the worker (the bytes-sent metric counts 8 bytes each). */
  values(task: NonNullable<pb.TaskRequest[K]>): number;
}

/** Values of a tensor by its shape (a vector [n], a matrix [r, c], stacked points [p, d]). */
function sizeOf(t: pb.Tensor | null | undefined): number {
  if (!t?.shape || t.shape.length === 0) return 0;
  return t.shape.reduce<number>((n, s) => n * Number(s), 1);
}

export const TASK_KINDS: { readonly [K in KindName]: TaskKindEntry<K> } = {
  noop: { values: () => 0 },
  matvec: { values: (t) => sizeOf(t.x) },
  mattvec: { values: (t) => sizeOf(t.v) },
  lsGradient: { values: (t) => sizeOf(t.x) },
  gram: { values: (t) => sizeOf(t.d) },
  solveColumns: { values: (t) => t.columns?.length ?? 0 },
  countSketch: { values: (t) => sizeOf(t.scale) },
  logisticGradient: { values: (t) => sizeOf(t.w) },
  localNewton: { values: (t) => sizeOf(t.w) + sizeOf(t.g) },
  logisticLoss: { values: (t) => sizeOf(t.w) + sizeOf(t.p) + sizeOf(t.steps) },
  eigenproSetup: { values: () => 0 },
  eigenproStep: { values: (t) => sizeOf(t.alpha) },
  eigenproAsync: { values: () => 0 },
};

/** Doubles a request of kind `kind` carries (0 when its message is absent). */
export function requestValues<K extends KindName>(kind: K, request: pb.TaskRequest): number {
  const task = request[kind];
  return task == null ? 0 : TASK_KINDS[kind].values(task);
}
