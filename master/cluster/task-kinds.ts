import type { pb } from '../../shared/wire';
import { ASYNC_REPORT_LENGTH } from '../../shared/store';
import { packedLength } from '../../shared/kernels';
import type { KindName } from '../../algorithms/compute-cluster';
import type { TaskShape } from '../../core/runtime/task-flops';

/**
 * Every task kind of the contract (proto TaskRequest's `kind` oneof), as the master sends it and
 * what it must get back: one entry a kind, and the type makes the compiler refuse a kind of the
 * contract without one (as master/jobs/kinds.ts does for job kinds). What a kind's task carries
 * is read from its generated message, so a payload never states it twice.
 *
 * The worker's side (its handlers) is worker/task-kinds/.
 */
export interface TaskKindEntry<K extends KindName> {
  /** Doubles the task's message carries to the worker (the bytes-sent metric counts 8 bytes each). */
  values(task: NonNullable<pb.TaskRequest[K]>): number;
  /**
   * What a slot's answer must be, from the task and the slot's stored blocks (in the slot's
   * order: the first is an EigenPro slot's own slice). The master refuses any other answer
   * (master/cluster/answer-check.ts) before a decoder or an algorithm sees it.
   */
  answer(task: NonNullable<pb.TaskRequest[K]>, blocks: readonly BlockShape[]): AnswerSpec;
  /**
   * What the task computes, as the flop table (core/runtime/task-flops.ts) sees it: what its
   * injected delay is proportional to under `chaos.delay.work: ops`. A task whose operations are
   * known only at its end (a column solve) gives its shape per iteration.
   */
  work(task: NonNullable<pb.TaskRequest[K]>, blocks: readonly BlockShape[]): TaskShape | { perIteration: TaskShape };
}

/** Rows and columns of a stored block, as placed. */
export interface BlockShape {
  rows: number;
  cols: number;
}

/** A slot's expected answer. */
export interface AnswerSpec {
  /** The answer tensor's shape, exactly (its values: the product). */
  shape: readonly number[];
  /**
   * Every value must be finite: a product, a gradient, a solved column. A NaN from one worker is
   * then that worker's bad answer, not a diverged algorithm; the same non-finite answer from a
   * second worker is the computation's own, and goes on to the algorithm's divergence checks.
   */
  finite: boolean;
}

/** Values of a tensor by its shape (a vector [n], a matrix [r, c], stacked points [p, d]). */
function sizeOf(t: pb.Tensor | null | undefined): number {
  if (!t?.shape || t.shape.length === 0) return 0;
  return t.shape.reduce<number>((n, s) => n * Number(s), 1);
}

const rowsOf = (blocks: readonly BlockShape[]): number => blocks[0]?.rows ?? 0;
const colsOf = (blocks: readonly BlockShape[]): number => blocks[0]?.cols ?? 0;
const totalRows = (blocks: readonly BlockShape[]): number => blocks.reduce((s, b) => s + b.rows, 0);
const vector = (n: number, finite = true): AnswerSpec => ({ shape: [n], finite });

export const TASK_KINDS: { readonly [K in KindName]: TaskKindEntry<K> } = {
  noop: { values: () => 0, answer: () => vector(0), work: () => ({ kind: 'noop' }) },
  /** y = Σ w·Aₛx: the rows of the slot's blocks (all alike). */
  matvec: { values: (t) => sizeOf(t.x), answer: (_t, b) => vector(rowsOf(b)), work: (_t, blocks) => ({ kind: 'matvec', blocks }) },
  /** Σ w·Aₛᵀvₛ: the blocks' columns. */
  mattvec: { values: (t) => sizeOf(t.v), answer: (_t, b) => vector(colsOf(b)), work: (_t, blocks) => ({ kind: 'mattvec', blocks }) },
  /** One gradient per point: x's own shape ([d], or [p, d] for p stacked points). */
  lsGradient: {
    values: (t) => sizeOf(t.x),
    answer: (t) => ({ shape: t.x?.shape && t.x.shape.length === 2 ? t.x.shape.map(Number) : [sizeOf(t.x)], finite: true }),
    work: (t, blocks) => ({ kind: 'lsGradient', blocks, points: t.x?.shape && t.x.shape.length === 2 ? Number(t.x.shape[0]) : 1 }),
  },
  gram: {
    values: (t) => sizeOf(t.d),
    answer: (_t, b) => ({ shape: [colsOf(b), colsOf(b)], finite: true }),
    work: (t, blocks) => ({ kind: 'gram', blocks, weighted: t.d != null }),
  },
  /** The columns solved (each of the block's rows), then each column's statistics. */
  solveColumns: {
    values: (t) => t.columns?.length ?? 0,
    answer: (t, b) => vector(packedLength(t.columns?.length ?? 0, rowsOf(b))),
    // M's order: the block's columns (n for the inverse, A's columns for AᵀA).
    work: (_t, b) => ({ perIteration: { kind: 'solveColumnIteration', order: colsOf(b) } }),
  },
  /** The sketch (width × cols), or its cols × cols Gram. */
  countSketch: {
    values: (t) => sizeOf(t.scale),
    answer: (t, b) => ({ shape: t.gram ? [colsOf(b), colsOf(b)] : [t.width ?? 0, colsOf(b)], finite: true }),
    work: (t, blocks) => ({ kind: 'countSketch', blocks, width: t.width ?? 0, gram: !!t.gram }),
  },
  /** The gradient and the loss. */
  logisticGradient: { values: (t) => sizeOf(t.w), answer: (_t, b) => vector(colsOf(b) + 1), work: (_t, blocks) => ({ kind: 'logisticGradient', blocks }) },
  localNewton: { values: (t) => sizeOf(t.w) + sizeOf(t.g), answer: (_t, b) => vector(colsOf(b)), work: (_t, blocks) => ({ kind: 'localNewton', blocks }) },
  /** The loss at each step of the line search. */
  logisticLoss: {
    values: (t) => sizeOf(t.w) + sizeOf(t.p) + sizeOf(t.steps),
    answer: (t) => vector(sizeOf(t.steps)),
    work: (_t, blocks) => ({ kind: 'logisticLoss', blocks }),
  },
  /**
   * σ₁ … σ_{q+1} of the own slice's Nyström sample, then β: s = min(nystrom, the own slice's
   * rows), q = min(topQ, s − 1) (shared/kernels/eigenpro-slice.ts).
   */
  eigenproSetup: {
    values: () => 0,
    answer: (t, b) => {
      const s = Math.min(t.nystromSize ?? 0, rowsOf(b));
      return vector(Math.max(0, Math.min(t.topQ ?? 0, s - 1)) + 2);
    },
    work: (t, b) => ({ kind: 'eigenproSetup', nystrom: t.nystromSize ?? 0, dims: colsOf(b) }),
  },
  /** The own slice's change, then the batch's squared residual. */
  eigenproStep: {
    values: (t) => sizeOf(t.alpha),
    answer: (_t, b) => vector(rowsOf(b) + 1),
    // Every center the slot holds (its blocks' rows) against the batch.
    work: (t, b) => ({ kind: 'eigenproStep', batch: t.batchSize ?? 0, centers: totalRows(b), dims: colsOf(b) }),
  },
  /** The leg's report (shared/store/async-report.ts): means over no update are NaN. */
  eigenproAsync: {
    values: () => 0,
    answer: () => vector(ASYNC_REPORT_LENGTH, false),
    // Its loop draws a delay per iteration; one iteration is one step.
    work: (t, b) => ({ kind: 'eigenproStep', batch: t.batchSize ?? 0, centers: totalRows(b), dims: colsOf(b) }),
  },
};

/** Doubles a request of kind `kind` carries (0 when its message is absent). */
export function requestValues<K extends KindName>(kind: K, request: pb.TaskRequest): number {
  const task = request[kind];
  return task == null ? 0 : TASK_KINDS[kind].values(task);
}

/** What the answer to a request of kind `kind` over `blocks` must be (an absent message: its kind's empty task). */
export function expectedAnswer<K extends KindName>(kind: K, request: pb.TaskRequest, blocks: readonly BlockShape[]): AnswerSpec {
  const task = (request[kind] ?? {}) as NonNullable<pb.TaskRequest[K]>;
  return TASK_KINDS[kind].answer(task, blocks);
}

/** What a request of kind `kind` over `blocks` computes, for the ops measure (an absent message: its kind's empty task). */
export function requestWork<K extends KindName>(kind: K, request: pb.TaskRequest, blocks: readonly BlockShape[]): TaskShape | { perIteration: TaskShape } {
  const task = (request[kind] ?? {}) as NonNullable<pb.TaskRequest[K]>;
  return TASK_KINDS[kind].work(task, blocks);
}
