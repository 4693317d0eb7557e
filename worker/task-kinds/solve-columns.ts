import { performance } from 'node:perf_hooks';
import { InputError } from '../../shared/errors';
import { BlockColumnSolver, COLUMN_SOLVER_NAMES, inverseOperators, packedLength, packSolvedColumns, type ColumnSolverName, type Kernels } from '../../shared/kernels';
import type { Matrix } from '../../shared/tensor';
import type { StoredBlock } from '../block-store';
import type { KindHandler, ThreadKindName } from './registry';

/**
 * solveColumns: columns of A⁻¹ (or rows of A† through B = AᵀA, Algorithm 2) on the task's one
 * stored block. All of the task's columns are solved together, one stacked product (a dgemm on
 * the native backend) per iteration. It runs on the service's compute thread and yields to that
 * thread's event loop every few milliseconds, so the loop's abort message reaches it: a cancelled
 * straggler stops within one iteration instead of burning its core to the end.
 */

/** B = AᵀA per stored block, formed once per placement (O(nm²)) and reused by later tasks. */
const gramCache = new WeakMap<StoredBlock, Matrix>();

function gramOf(block: StoredBlock, kernels: Kernels): Matrix {
  let B = gramCache.get(block);
  if (!B) {
    const { A } = block;
    B = { rows: A.cols, cols: A.cols, data: kernels.gram(A, undefined, new Float64Array(A.cols * A.cols)) };
    gramCache.set(block, B);
  }
  return B;
}

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));
/** Longest stretch of computing between two yields. */
const YIELD_EVERY_MS = 20;

const solveColumns: KindHandler = async ({ request, blocks, signal, kernels, allocate }) => {
  const t = request.solveColumns;
  if (!t) throw new InputError('solveColumns: task without its payload');
  if (blocks.length !== 1) throw new InputError(`solveColumns: expects one stored block (A), got ${blocks.length}`);
  const block = blocks[0]!.block;
  const { A } = block;
  const solver = t.solver as ColumnSolverName;
  if (!COLUMN_SOLVER_NAMES.includes(solver)) throw new InputError(`solveColumns: unknown solver '${t.solver}'`);
  if (!(t.tol >= 0) || !(t.maxIterations > 0)) throw new InputError('solveColumns: tol must be ≥ 0 and max_iterations positive');
  if (t.target !== 'inverse' && t.target !== 'pseudoinverse') throw new InputError(`solveColumns: unknown target '${t.target}' (inverse | pseudoinverse)`);
  if (t.target === 'inverse' && A.rows !== A.cols) throw new InputError(`solveColumns: inverse of a ${A.rows}×${A.cols} block`);
  if (t.columns.some((c) => !Number.isSafeInteger(c) || c < 0 || c >= A.cols)) throw new InputError(`solveColumns: a column outside 0..${A.cols - 1}`);
  // The answer (each column with its statistics) and the solver's iterates: checked before either exists.
  allocate(packedLength(t.columns.length, A.rows), 'solveColumns: the solved columns', true);
  allocate(4 * t.columns.length * A.cols, 'solveColumns: the iterates');
  const { M, post } = inverseOperators(A, t.target, t.target === 'pseudoinverse' ? gramOf(block, kernels) : undefined, kernels);
  await yieldToEventLoop();
  if (signal?.aborted) return { shape: [0], values: new Float64Array(0) }; // the service drops it
  const s = new BlockColumnSolver(kernels, M, t.columns, solver, { tol: t.tol, maxIterations: t.maxIterations }, post);
  let last = performance.now();
  while (!s.done) {
    s.step();
    if (performance.now() - last >= YIELD_EVERY_MS) {
      await yieldToEventLoop();
      if (signal?.aborted) return { shape: [0], values: new Float64Array(0) };
      last = performance.now();
    }
  }
  const solved = s.result();
  const packed = packSolvedColumns(solved);
  // Column iterations: what the task's work per iteration is multiplied by (its injected delay).
  return { shape: [packed.length], values: packed, iterations: solved.stats.reduce((n, st) => n + st.iterations, 0) };
};

/** This module's thread kinds (worker/task-kinds/handlers.ts joins every family's into one table). */
export const SOLVE_COLUMNS_KINDS = { solveColumns } satisfies Partial<Record<ThreadKindName, KindHandler>>;
