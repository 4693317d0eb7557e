import { InputError } from '../../shared/errors';

/**
 * The fractional repetition assignment (Algorithm 3 of "Straggler Robust Distributed Matrix
 * Inverse and Pseudoinverse Approximation", after the binary gradient code of Charalambides,
 * Mahdavifar and Hero). Pure: no data, no clock.
 *
 * N workers tolerate s stragglers. Workers are split into ℓ = ⌊N/(s+1)⌋ groups of consecutive
 * indices; every worker of a group computes the same task group (a set of data blocks for a
 * gradient, a set of columns of A⁻¹ for the inverse). A worker's position inside its group is its
 * residue class: when (s+1) | N this is exactly `worker mod (s+1)` (0-based; the paper counts from
 * 1 and writes "mod (s+2)" in one place, its worked example with N = 8, s = 1 groups workers
 * {1,2}, {3,4}, {5,6}, {7,8} and class l = 2 is {2,4,6,8}). Workers of one class never share a
 * task group, and each class holds one copy of every group: a complete residue class decodes.
 *
 * Uneven cases, as the paper prescribes:
 * - k ∤ n (tasks that do not split evenly over the groups): ⌊k/ℓ⌋ tasks per group, one more for
 *   the first rem(k, ℓ) groups. (The paper's sentence swaps the two counts; this is the split
 *   that adds up.)
 * - (s+1) ∤ N: the N mod ℓ left-over workers join the first groups (sizes ⌊N/ℓ⌋ and ⌈N/ℓ⌉, the
 *   close-to-balanced construction of the binary gradient code). Every group still has at least
 *   s+1 workers, so positions 0..s form s+1 complete classes and the pigeonhole argument of
 *   Prop. 3 holds; the extra workers are spare copies that never belong to a complete class.
 * - fewer tasks than ⌊N/(s+1)⌋: one task per group, ℓ = k groups, each with more copies.
 */
export interface FrcAssignment {
  /** N */
  readonly workers: number;
  /** s: stragglers tolerated. */
  readonly stragglers: number;
  /** k: tasks (data blocks, or column blocks) assigned. */
  readonly tasks: number;
  /** ℓ: task groups = worker groups. */
  readonly groups: number;
  /** Worker w computes task group groupOfWorker[w]. */
  readonly groupOfWorker: readonly number[];
  /** Worker w's position in its group = its residue class. */
  readonly classOfWorker: readonly number[];
  /** Workers of each group, in order (consecutive indices). */
  readonly workersOfGroup: readonly (readonly number[])[];
  /** Tasks of each group (consecutive indices). */
  readonly tasksOfGroup: readonly (readonly number[])[];
  /** Classes present in every group: 0..completeClasses-1 (= smallest group size, ≥ s+1). */
  readonly completeClasses: number;
}

/** Sizes of `parts` consecutive pieces of `total`: the first total mod parts get one more. */
export function splitEvenly(total: number, parts: number): number[] {
  if (!Number.isInteger(total) || !Number.isInteger(parts) || parts < 1 || total < parts) {
    throw new InputError(`cannot split ${total} items into ${parts} non-empty parts`);
  }
  const base = Math.floor(total / parts);
  const extra = total % parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

/** Consecutive index ranges for the given sizes: [[0..a), [a..a+b), ...]. */
function consecutive(sizes: number[]): number[][] {
  const out: number[][] = [];
  let start = 0;
  for (const size of sizes) {
    out.push(Array.from({ length: size }, (_, i) => start + i));
    start += size;
  }
  return out;
}

export function frcAssignment(workers: number, stragglers: number, tasks: number): FrcAssignment {
  if (!Number.isInteger(workers) || workers < 1) throw new InputError(`frc: workers must be a positive integer, got ${workers}`);
  if (!Number.isInteger(stragglers) || stragglers < 0) {
    throw new InputError(`frc: stragglers must be a non-negative integer, got ${stragglers}`);
  }
  if (stragglers >= workers) {
    throw new InputError(`frc: stragglers = ${stragglers} needs more than ${stragglers} workers, got ${workers}`);
  }
  if (!Number.isInteger(tasks) || tasks < 1) throw new InputError(`frc: tasks must be a positive integer, got ${tasks}`);
  const groups = Math.min(Math.floor(workers / (stragglers + 1)), tasks);
  const workersOfGroup = consecutive(splitEvenly(workers, groups));
  const tasksOfGroup = consecutive(splitEvenly(tasks, groups));
  const groupOfWorker = new Array<number>(workers);
  const classOfWorker = new Array<number>(workers);
  workersOfGroup.forEach((ws, g) =>
    ws.forEach((w, position) => {
      groupOfWorker[w] = g;
      classOfWorker[w] = position;
    }),
  );
  return {
    workers,
    stragglers,
    tasks,
    groups,
    groupOfWorker,
    classOfWorker,
    workersOfGroup,
    tasksOfGroup,
    completeClasses: Math.min(...workersOfGroup.map((ws) => ws.length)),
  };
}

/** Members of residue class `c` (one worker per group, in group order); undefined if incomplete. */
export function residueClass(a: FrcAssignment, c: number): number[] | undefined {
  if (c < 0 || c >= a.completeClasses) return undefined;
  return a.workersOfGroup.map((ws) => ws[c]!);
}

/**
 * Algorithm 4's choice: the first complete residue class among the responsive workers
 * (undefined when none is complete). Pure function of the set, for brute-force tests.
 */
export function completeResidueClass(a: FrcAssignment, responded: ReadonlySet<number>): number | undefined {
  for (let c = 0; c < a.completeClasses; c++) {
    if (a.workersOfGroup.every((ws) => responded.has(ws[c]!))) return c;
  }
  return undefined;
}
