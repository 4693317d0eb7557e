/**
 * The floating-point operations of each task kind, from the shapes it computes over: what the
 * injected delay is proportional to (chaos.delay.work: ops, the default). A worker's delay for a
 * task is its slowdown draw of the round × the task's operations / the job's reference task's
 * (one uncoded wait-all gradient block; see the reference functions below), so a Gram of r×c
 * (r·c² flops) waits c/2 times as long as a matvec over the same rows (2·r·c), as it would on a
 * real machine.
 *
 * Counts are the leading terms of what the kernels do (a multiply-add is 2 flops; a symmetric
 * product counts its triangle once); O(r) work per row (margins, exponentials, losses) is left
 * out. Pure: no I/O. docs/delays-and-faults.md's "Work in operations" table lists the same formulas; the unit
 * tests pin them.
 */

/** A stored block's shape: what a task reads. */
export interface BlockShape {
  rows: number;
  cols: number;
}

/** A task as the flop table sees it: its kind, the stored blocks it computes over, and what its payload says. */
export type TaskShape =
  /** Does nothing but wait: it stands for one reference task. */
  | { kind: 'noop' }
  /** y = Σ w·Aₛx: 2rc a block. */
  | { kind: 'matvec'; blocks: readonly BlockShape[] }
  /** y = Σ w·Aₛᵀvₛ: 2rc a block. */
  | { kind: 'mattvec'; blocks: readonly BlockShape[] }
  /** Σ w·Aₛᵀ(Aₛx − bₛ) at `points` iterates: 4rc a block and point. */
  | { kind: 'lsGradient'; blocks: readonly BlockShape[]; points: number }
  /** Σ w·Aₛᵀdiag(dₛ)Aₛ: rc² a block (+ rc to weigh the rows when `weighted`). */
  | { kind: 'gram'; blocks: readonly BlockShape[]; weighted: boolean }
  /** Sᵀdiag(scale)A over the blocks (2rc), then its b×c Gram bc² once when `gram`. */
  | { kind: 'countSketch'; blocks: readonly BlockShape[]; width: number; gram: boolean }
  /** Xw and Xᵀβ on each block: 4rc. */
  | { kind: 'logisticGradient'; blocks: readonly BlockShape[] }
  /** Per block: margins 2rc, the local Hessian rc², its Cholesky c³/3 and the solve 2c². */
  | { kind: 'localNewton'; blocks: readonly BlockShape[] }
  /** Xw and Xp on each block: 4rc (the losses at each step are O(r) a step). */
  | { kind: 'logisticLoss'; blocks: readonly BlockShape[] }
  /**
   * One iteration of one column: the product with M (order q: n for the inverse, the columns of A
   * for the pseudoinverse's AᵀA), 2q². A solve's work is this × the column iterations it did.
   */
  | { kind: 'solveColumnIteration'; order: number }
  /** An EigenPro step on a batch of m points against n centers in d dimensions: m·n·(2d + 3). */
  | { kind: 'eigenproStep'; batch: number; centers: number; dims: number }
  /** A Nyström preconditioner of s points: the kernel block s²(2d + 3) and its eigendecomposition 9s³. */
  | { kind: 'eigenproSetup'; nystrom: number; dims: number };

const sum = (blocks: readonly BlockShape[], f: (r: number, c: number) => number): number => blocks.reduce((s, b) => s + f(b.rows, b.cols), 0);

/** Floating-point operations of one task (see TaskShape for each kind's formula). */
export function taskFlops(t: TaskShape): number {
  switch (t.kind) {
    case 'noop':
      return 0; // no operations of its own (taskWork counts it as one reference task)
    case 'matvec':
    case 'mattvec':
      return sum(t.blocks, (r, c) => 2 * r * c);
    case 'lsGradient':
      return Math.max(1, t.points) * sum(t.blocks, (r, c) => 4 * r * c);
    case 'gram':
      return sum(t.blocks, (r, c) => r * c * c + (t.weighted ? r * c : 0));
    case 'countSketch': {
      const c = t.blocks[0]?.cols ?? 0;
      return sum(t.blocks, (r, cc) => 2 * r * cc) + (t.gram ? t.width * c * c : 0);
    }
    case 'logisticGradient':
    case 'logisticLoss':
      return sum(t.blocks, (r, c) => 4 * r * c);
    case 'localNewton':
      return sum(t.blocks, (r, c) => r * c * c + 2 * r * c + (c * c * c) / 3 + 2 * c * c);
    case 'solveColumnIteration':
      return 2 * t.order * t.order;
    case 'eigenproStep':
      return t.batch * t.centers * (2 * t.dims + 3);
    case 'eigenproSetup':
      return t.nystrom * t.nystrom * (2 * t.dims + 3) + 9 * t.nystrom ** 3;
  }
}

/**
 * A task's work: its operations over the reference task's (what a worker's slowdown draw is
 * multiplied by). A noop stands for one reference task.
 */
export function taskWork(t: TaskShape, referenceFlops: number): number {
  if (t.kind === 'noop') return 1;
  if (!(referenceFlops > 0) || !Number.isFinite(referenceFlops)) throw new RangeError(`task work: the reference task's flops must be positive, got ${referenceFlops}`);
  return taskFlops(t) / referenceFlops;
}

// The reference task of each job kind: one uncoded wait-all gradient block, N the job's workers.

/** Least squares (and the showdown, Table I, adaptive): lsGradient on one of N row blocks of the rows×cols A: 4·(rows/N)·cols. */
export function leastSquaresReference(rows: number, cols: number, workers: number): number {
  return (4 * rows * cols) / Math.max(1, workers);
}

/** Logistic regression: logisticGradient (Xw and Xᵀβ) on one of N row blocks of the n×d X: 4·(n/N)·d. */
export function logisticReference(n: number, d: number, workers: number): number {
  return (4 * n * d) / Math.max(1, workers);
}

/**
 * The inverse and pseudoinverse: one iteration of an uncoded worker's share of the columns,
 * (unknowns/N)·2q² (q: M's order), so a slot that does N/unknowns·k column iterations has work k.
 */
export function inverseReference(unknowns: number, order: number, workers: number): number {
  return (unknowns / Math.max(1, workers)) * taskFlops({ kind: 'solveColumnIteration', order });
}

/** Kernel regression: one EigenPro step of one worker's batch m against the n centers: m·n·(2d + 3). */
export function eigenproReference(batch: number, centers: number, dims: number): number {
  return taskFlops({ kind: 'eigenproStep', batch, centers, dims });
}
