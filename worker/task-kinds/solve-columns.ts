import { InputError } from '../../shared/errors';
import {
  COLUMN_SOLVER_NAMES,
  denseOperator,
  gram,
  packSolvedColumns,
  solveUnitColumns,
  type ColumnSolverName,
  type ColumnStats,
} from '../../shared/kernels';
import type { Matrix } from '../../shared/tensor';
import type { StoredBlock } from '../block-store';
import { registerKind } from './registry';

/**
 * solveColumns: columns of A⁻¹ (or rows of A† through B = AᵀA, Algorithm 2) on the task's one
 * stored block. Column by column, yielding to the event loop in between so heartbeats go out
 * and a cancelled straggler stops within one column instead of burning its core to the end.
 */

/** B = AᵀA per stored block, formed once per placement (O(nm²)) and reused by later tasks. */
const gramCache = new WeakMap<StoredBlock, Matrix>();

function gramOf(block: StoredBlock): Matrix {
  let B = gramCache.get(block);
  if (!B) {
    const { A } = block;
    B = { rows: A.cols, cols: A.cols, data: gram(A, undefined, new Float64Array(A.cols * A.cols)) };
    gramCache.set(block, B);
  }
  return B;
}

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

registerKind('solveColumns', async ({ request, blocks, signal }) => {
  const t = request.solveColumns;
  if (!t) throw new InputError('solveColumns: task without its payload');
  if (blocks.length !== 1) throw new InputError(`solveColumns: expects one stored block (A), got ${blocks.length}`);
  const block = blocks[0]!.block;
  const { A } = block;
  const solver = t.solver as ColumnSolverName;
  if (!COLUMN_SOLVER_NAMES.includes(solver)) throw new InputError(`solveColumns: unknown solver '${t.solver}'`);
  if (!(t.tol >= 0) || !(t.maxIterations > 0)) throw new InputError('solveColumns: tol must be ≥ 0 and max_iterations positive');
  let M: Matrix;
  let post: Matrix | undefined;
  if (t.target === 'inverse') {
    if (A.rows !== A.cols) throw new InputError(`solveColumns: inverse of a ${A.rows}×${A.cols} block`);
    M = A;
  } else if (t.target === 'pseudoinverse') {
    M = gramOf(block);
    post = A;
  } else {
    throw new InputError(`solveColumns: unknown target '${t.target}' (inverse | pseudoinverse)`);
  }
  const op = denseOperator(M);
  const postOp = post ? denseOperator(post) : undefined;
  const outLength = post ? post.rows : M.cols;
  const values = new Float64Array(t.columns.length * outLength);
  const stats: ColumnStats[] = [];
  const opts = { tol: t.tol, maxIterations: t.maxIterations };
  for (let k = 0; k < t.columns.length; k++) {
    await yieldToEventLoop();
    if (signal?.aborted) return { shape: [0], values: new Float64Array(0) }; // the service drops it
    const one = solveUnitColumns(op, [t.columns[k]!], solver, opts, postOp);
    values.set(one.values, k * outLength);
    stats.push(one.stats[0]!);
  }
  const packed = packSolvedColumns({ values, outLength, stats });
  return { shape: [packed.length], values: packed };
});
