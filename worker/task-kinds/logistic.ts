import { InputError, ShapeError } from '../../shared/errors';
import { countSketchInto } from '../../shared/kernels';
import { tensorValues } from '../../shared/wire/tensor-codec';
import type { TaskContext } from './registry';
import type { KindHandler, ThreadKindName } from './registry';

/**
 * The kinds logistic regression needs: OverSketch blocks of the Hessian's square root, and GIANT's.
 * The count sketch is a loop on either backend (a scatter of rows into buckets: no BLAS routine
 * fits); the Gram of the sketch, the gradient and the local Newton step use ctx.kernels.
 */

function labelsOf(ctx: TaskContext, kind: string): { id: number; y: Float64Array }[] {
  return ctx.blocks.map(({ block, id }) => {
    if (!block.rhs) throw new InputError(`${kind}: block ${id} was placed without labels`);
    return { id, y: block.rhs };
  });
}

function colsOf(ctx: TaskContext, kind: string): number {
  const cols = ctx.blocks[0]?.block.A.cols;
  if (cols === undefined) throw new InputError(`${kind}: the task names no blocks`);
  for (const { block, id } of ctx.blocks) {
    if (block.A.cols !== cols) throw new ShapeError(`${kind}: block ${id} has ${block.A.cols} columns, expected ${cols}`);
  }
  return cols;
}

const countSketch: KindHandler = (ctx) => {
  const t = ctx.request.countSketch;
  const width = t?.width ?? 0;
  const seed = Number(t?.seed ?? 0);
  const scaleAll = t?.scale && t.scale.shape.length > 0 ? tensorValues(t.scale, 'countSketch.scale') : undefined;
  const cols = colsOf(ctx, 'countSketch');
  if (!Number.isSafeInteger(width) || width < 1) throw new InputError('countSketch: width must be a whole number ≥ 1');
  // The sketch is scratch when only its Gram goes back, the answer otherwise: refused before it exists.
  const out = ctx.allocate(width * cols, `countSketch: the ${width}×${cols} sketch`, !t?.gram);
  if (t?.gram) ctx.allocate(cols * cols, `countSketch: the ${cols}×${cols} Gram of the sketch`, true);
  let off = 0;
  for (const { block, weight } of ctx.blocks) {
    const scale = scaleAll?.subarray(off, off + block.A.rows);
    if (scaleAll && off + block.A.rows > scaleAll.length) throw new ShapeError(`countSketch: scale has ${scaleAll.length} values, the blocks have more rows`);
    countSketchInto(block.A, scale, seed, width, block.rowOffset, out, weight);
    off += block.A.rows;
  }
  if (scaleAll && off !== scaleAll.length) throw new ShapeError(`countSketch: scale has ${scaleAll.length} values, the blocks have ${off} rows`);
  if (t?.gram) return { shape: [cols, cols], values: ctx.kernels.gram({ rows: width, cols, data: out }, undefined, new Float64Array(cols * cols)) };
  return { shape: [width, cols], values: out };
};

const logisticGradient: KindHandler = (ctx) => {
  const w = tensorValues(ctx.request.logisticGradient?.w, 'logisticGradient.w');
  const cols = colsOf(ctx, 'logisticGradient');
  const labels = labelsOf(ctx, 'logisticGradient');
  const out = new Float64Array(cols + 1);
  ctx.blocks.forEach(({ block, weight }, k) => ctx.kernels.logisticGradientInto(block.A, labels[k]!.y, w, out, weight));
  return { shape: [cols + 1], values: out };
};

const localNewton: KindHandler = (ctx) => {
  const t = ctx.request.localNewton;
  const w = tensorValues(t?.w, 'localNewton.w');
  const g = tensorValues(t?.g, 'localNewton.g');
  const lambda = t?.lambda ?? 0;
  const cols = colsOf(ctx, 'localNewton');
  const labels = labelsOf(ctx, 'localNewton');
  const out = new Float64Array(cols);
  ctx.blocks.forEach(({ block, weight }, k) => ctx.kernels.localNewtonInto(block.A, labels[k]!.y, w, g, lambda, out, weight));
  return { shape: [cols], values: out };
};

const logisticLoss: KindHandler = (ctx) => {
  const t = ctx.request.logisticLoss;
  const w = tensorValues(t?.w, 'logisticLoss.w');
  const p = tensorValues(t?.p, 'logisticLoss.p');
  const steps = tensorValues(t?.steps, 'logisticLoss.steps');
  colsOf(ctx, 'logisticLoss');
  const labels = labelsOf(ctx, 'logisticLoss');
  const out = new Float64Array(steps.length);
  ctx.blocks.forEach(({ block, weight }, k) => ctx.kernels.logisticLossAtStepsInto(block.A, labels[k]!.y, w, p, steps, out, weight));
  return { shape: [steps.length], values: out };
};

/** This module's thread kinds (worker/task-kinds/handlers.ts joins every family's into one table). */
export const LOGISTIC_KINDS = { countSketch, logisticGradient, localNewton, logisticLoss } satisfies Partial<Record<ThreadKindName, KindHandler>>;
