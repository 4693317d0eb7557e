import { InputError, ShapeError } from '../../shared/errors';
import { tensorValues } from '../../shared/wire/tensor-codec';
import type { KindHandler, ThreadKindName } from './registry';

/** The kinds least squares and the coded matrix products need. */

const matvec: KindHandler = ({ request, blocks, kernels }) => {
  const x = tensorValues(request.matvec?.x, 'matvec.x');
  const rows = blocks[0]?.block.A.rows ?? 0;
  const out = new Float64Array(rows);
  for (const { block, weight, id } of blocks) {
    if (block.A.rows !== rows) throw new ShapeError(`matvec: block ${id} has ${block.A.rows} rows, expected ${rows}`);
    kernels.matVec(block.A, x, out, weight, true);
  }
  return { shape: [rows], values: out };
};

const mattvec: KindHandler = ({ request, blocks, kernels }) => {
  const v = tensorValues(request.mattvec?.v, 'mattvec.v');
  const cols = blocks[0]?.block.A.cols ?? 0;
  const out = new Float64Array(cols);
  let off = 0;
  for (const { block, weight } of blocks) {
    if (off + block.A.rows > v.length) throw new ShapeError(`mattvec: v has ${v.length} values, the blocks have more rows`);
    kernels.matTVec(block.A, v.subarray(off, off + block.A.rows), out, weight, true);
    off += block.A.rows;
  }
  if (off !== v.length) throw new ShapeError(`mattvec: v has ${v.length} values, the blocks have ${off} rows`);
  return { shape: [cols], values: out };
};

const lsGradient: KindHandler = ({ request, blocks, kernels }) => {
  const xt = request.lsGradient?.x;
  const x = tensorValues(xt, 'lsGradient.x');
  // x of shape (p, d) stacks p points: one round serves p iterates (e.g. several step sizes).
  const points = xt && xt.shape.length === 2 ? xt.shape[0]! : 1;
  const d = x.length / Math.max(points, 1);
  const out = new Float64Array(x.length);
  for (const { block, weight, id } of blocks) {
    if (!block.rhs) throw new InputError(`lsGradient: block ${id} was placed without a right-hand side`);
    if (block.A.cols !== d) throw new ShapeError(`lsGradient: block ${id} has ${block.A.cols} columns, x has ${d}`);
    // One pass over the block for all the points (a dgemm on the native backend).
    kernels.lsGradientStacked(block.A, block.rhs, x, points, out, weight, true);
  }
  return { shape: xt?.shape.length === 2 ? [points, d] : [x.length], values: out };
};

const gram: KindHandler = ({ request, blocks, kernels, allocate }) => {
  const dAll = request.gram?.d && request.gram.d.shape.length > 0 ? tensorValues(request.gram.d, 'gram.d') : undefined;
  const cols = blocks[0]?.block.A.cols ?? 0;
  const out = allocate(cols * cols, `gram: the ${cols}×${cols} Gram matrix`, true);
  let off = 0;
  for (const { block, weight } of blocks) {
    if (dAll && off + block.A.rows > dAll.length) throw new ShapeError(`gram: d has ${dAll.length} values, the blocks have more rows`);
    const d = dAll?.subarray(off, off + block.A.rows);
    kernels.gram(block.A, d, out, weight, true);
    off += block.A.rows;
  }
  return { shape: [cols, cols], values: out };
};

/** This module's thread kinds (worker/task-kinds/handlers.ts joins every family's into one table). */
export const LINEAR_ALGEBRA_KINDS = { matvec, mattvec, lsGradient, gram } satisfies Partial<Record<ThreadKindName, KindHandler>>;
