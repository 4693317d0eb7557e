import { InputError } from '../../shared/errors';
import { buildSliceState, checkKernel, sampleBatch, sliceStep, type SliceState } from '../../shared/kernels';
import { Rng } from '../../shared/random';
import type { Matrix } from '../../shared/tensor';
import { tensorValues } from '../../shared/wire';
import type { StoredBlock } from '../block-store';
import { MasterAlpha, ShardedAlpha, type AlphaSource } from '../alpha-sources';
import { runAsyncEigenpro } from '../async-loop';
import { registerKind, type TaskContext } from './registry';

/**
 * EigenPro task kinds. The master places every data block on every worker (all n centers, once);
 * a slot's first block is the worker's own slice D_r, the rest are the other centers. The setup
 * builds the slice's Nyström preconditioner and keeps it beside the blocks; step and async tasks
 * reuse it. Kept in a WeakMap on the own block, so dropping the job's blocks frees it too.
 */
const states = new WeakMap<StoredBlock, SliceState>();

/** All centers in global row order and the slice the first block covers. */
function centers(ctx: TaskContext): { X: Matrix; y: Float64Array; start: number; end: number; own: StoredBlock } {
  const own = ctx.blocks[0]?.block;
  if (!own) throw new InputError('eigenpro: the task names no blocks');
  const sorted = [...ctx.blocks].map((b) => b.block).sort((a, b) => a.rowOffset - b.rowOffset);
  const d = own.A.cols;
  const n = sorted.reduce((s, b) => s + b.A.rows, 0);
  const X: Matrix = { rows: n, cols: d, data: new Float64Array(n * d) };
  const y = new Float64Array(n);
  let row = 0;
  for (const b of sorted) {
    if (b.rowOffset !== row) throw new InputError(`eigenpro: blocks leave a gap at row ${row} (next starts at ${b.rowOffset})`);
    if (!b.rhs) throw new InputError('eigenpro: a block was placed without its targets');
    X.data.set(b.A.data, row * d);
    y.set(b.rhs, row);
    row += b.A.rows;
  }
  return { X, y, start: own.rowOffset, end: own.rowOffset + own.A.rows, own };
}

export function sliceStateOf(ctx: TaskContext): SliceState {
  const own = ctx.blocks[0]?.block;
  const st = own && states.get(own);
  if (!st) throw new InputError('eigenpro: no preconditioner for this slice; run eigenproSetup first');
  return st;
}

registerKind('eigenproSetup', (ctx) => {
  const t = ctx.request.eigenproSetup;
  if (!t) throw new InputError('eigenproSetup: missing payload');
  const kernel = checkKernel({ name: t.kernel?.name ?? '', bandwidth: t.kernel?.bandwidth ?? 0 });
  const { X, y, start, end, own } = centers(ctx);
  if (t.nystromSize < 2 || t.topQ < 1) throw new InputError('eigenproSetup: needs nystrom_size ≥ 2 and top_q ≥ 1');
  const st = buildSliceState(X, y, start, end, kernel, t.nystromSize, t.topQ, Number(t.seed), undefined, ctx.kernels);
  states.set(own, st);
  const out = new Float64Array(st.sigmas.length + 1);
  out.set(st.sigmas);
  out[st.sigmas.length] = st.beta;
  return { shape: [out.length], values: out };
});

registerKind('eigenproStep', (ctx) => {
  const t = ctx.request.eigenproStep;
  if (!t) throw new InputError('eigenproStep: missing payload');
  const st = sliceStateOf(ctx);
  const alpha = tensorValues(t.alpha, 'eigenproStep.alpha');
  if (alpha.length !== st.X.rows) throw new InputError(`eigenproStep: α has ${alpha.length} values, there are ${st.X.rows} centers`);
  const rng = new Rng(Number(t.seed));
  const batch = sampleBatch(rng, st.start, st.end, t.batchSize);
  const { delta, batchSquaredResidual } = sliceStep(st, alpha, batch, t.step, t.gradientScale);
  // The slice's change, then the batch's squared residual (a free training-loss estimate).
  const out = new Float64Array(delta.length + 1);
  out.set(delta);
  out[delta.length] = batchSquaredResidual;
  return { shape: [out.length], values: out };
});

registerKind('eigenproAsync', (ctx) => {
  const t = ctx.request.eigenproAsync;
  if (!t) throw new InputError('eigenproAsync: missing payload');
  const st = sliceStateOf(ctx);
  let src: AlphaSource;
  if (t.owners.length > 0) {
    // The sharded store: every slice from its owner, the own slice here.
    if (!ctx.params) throw new InputError('eigenproAsync: this worker serves no parameter slices');
    const o = t.owners[t.owner];
    if (!o || Number(o.start) !== st.start || Number(o.end) !== st.end) {
      throw new InputError(`eigenproAsync: slice ${t.owner} is [${o?.start}, ${o?.end}), this worker's data slice [${st.start}, ${st.end})`);
    }
    src = new ShardedAlpha(t.owners, t.owner, ctx.request.jobId, t.parameter, ctx.params.slices, ctx.params.peers);
  } else {
    // The centralized baseline: α on the master.
    if (!ctx.master) throw new InputError('eigenproAsync: this worker has no master to read parameters from');
    src = new MasterAlpha(ctx.master, t.parameter, t.owner, st.start, st.end);
  }
  return runAsyncEigenpro(st, t, src, ctx.signal, ctx.nextDelay ?? (() => 0), ctx.sleep ?? ((s) => new Promise<boolean>((r) => setTimeout(() => r(true), s * 1000))));
});
