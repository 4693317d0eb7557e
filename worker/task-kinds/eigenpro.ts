import { performance } from 'node:perf_hooks';
import { InputError } from '../../shared/errors';
import { buildSliceState, checkKernel, lambdaNext, sampleBatch, sliceStep, stalenessStep, type SliceState } from '../../shared/kernels';
import { Rng } from '../../shared/random';
import type { Matrix } from '../../shared/tensor';
import { tensorValues } from '../../shared/wire/tensor-codec';
import type { StoredBlock } from '../block-store';
import type { SharedSlice } from '../shared-slice';
import type { KindHandler, TaskContext, ThreadKindName } from './registry';

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

export function sliceStateOf(ctx: Pick<TaskContext, 'blocks'>): SliceState {
  const own = ctx.blocks[0]?.block;
  const st = own && states.get(own);
  if (!st) throw new InputError('eigenpro: no preconditioner for this slice; run eigenproSetup first');
  return st;
}

const eigenproSetup: KindHandler = (ctx) => {
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
};

const eigenproStep: KindHandler = (ctx) => {
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
};

/** What an AsyncEigenPro loop's compute side needs: its own block (with the preconditioner) and its batches. */
export interface StepperOptions {
  own: StoredBlock;
  seed: string;
  batchSize: number;
  /**
   * Makes α (one value per center) as the loop will fill it before each step: shared with the
   * event loop in thread mode.
   */
  alpha: (centers: number) => Float64Array;
  /** The own slice of the sharded store, written in place; absent under the master's store. */
  slice?: SharedSlice;
  describeSlice: () => string;
}

export interface StepOutcome {
  step: number;
  batchSquaredResidual: number;
  deltaSum: number;
  computeSeconds: number;
  /** The write, when the step wrote the own slice at once. */
  wrote?: { version: number; writtenAtUs: number };
}

/**
 * The compute side of one worker's AsyncEigenPro loop (Algorithm 1, line 13; eq. 9-11): its
 * slice's preconditioner, its batch stream (seeded), the kernel-row scratch, and the change of the
 * last step until it is written (in place into the shared slice, or handed to the loop for the
 * master's store). The event loop reads α and decides; this only computes and writes.
 */
export class AsyncStepper {
  private readonly st: SliceState;
  private readonly rng: Rng;
  private readonly Kb: Float64Array;
  private readonly lam: number;
  readonly batch: number;
  readonly alpha: Float64Array;
  private delta: Float64Array | null = null;

  constructor(private readonly o: StepperOptions) {
    this.st = sliceStateOf({ blocks: [{ block: o.own, weight: 1, id: 0 }] });
    this.rng = new Rng(Number(o.seed));
    this.batch = Math.min(o.batchSize, this.st.end - this.st.start);
    if (!(this.batch >= 1)) throw new InputError('eigenproAsync: batch_size must be at least 1');
    this.alpha = o.alpha(this.st.X.rows);
    if (this.alpha.length !== this.st.X.rows) throw new Error(`eigenproAsync: α has ${this.alpha.length} values, there are ${this.st.X.rows} centers`);
    if (o.slice && (o.slice.start !== this.st.start || o.slice.length !== this.st.end - this.st.start)) {
      throw new InputError(`eigenproAsync: ${o.describeSlice()} is [${o.slice.start}, ${o.slice.start + o.slice.length}), this worker's data slice [${this.st.start}, ${this.st.end})`);
    }
    this.Kb = new Float64Array(this.batch * this.st.X.rows);
    this.lam = lambdaNext(this.st);
  }

  get start(): number {
    return this.st.start;
  }

  get end(): number {
    return this.st.end;
  }

  get centers(): number {
    return this.st.X.rows;
  }

  /**
   * One step on a fresh batch of the own slice from α as the loop filled it: fixed > 0 is the
   * step, else the staleness-aware one at τ̂. With `write`, the change goes into the own slice
   * at once.
   */
  step(fixed: number, tauHat: number, write: boolean): StepOutcome {
    const t0 = performance.now();
    const step = fixed > 0 ? fixed : stalenessStep(this.batch, tauHat, this.st.beta, this.lam);
    const batch = sampleBatch(this.rng, this.st.start, this.st.end, this.batch);
    const { delta, batchSquaredResidual } = sliceStep(this.st, this.alpha, batch, step, 1 / this.batch, this.Kb);
    let deltaSum = 0;
    for (let i = 0; i < delta.length; i++) deltaSum += delta[i]!;
    this.delta = delta;
    const out: StepOutcome = { step, batchSquaredResidual, deltaSum, computeSeconds: (performance.now() - t0) / 1000 };
    if (write) out.wrote = this.writeOwn();
    return out;
  }

  /** Adds the last step's change to the own shared slice, element by element, in place. */
  writeOwn(): { version: number; writtenAtUs: number } {
    if (!this.o.slice) throw new InputError('eigenproAsync: no own slice to write (the master\'s store)');
    const d = this.takeDelta();
    return this.o.slice.add(d, this.o.describeSlice);
  }

  /** The last step's change (for the master's store); a step's change is taken once. */
  takeDelta(): Float64Array {
    const d = this.delta;
    if (!d) throw new InputError('eigenproAsync: no step to write');
    this.delta = null;
    return d;
  }
}

/** This module's thread kinds (worker/task-kinds/handlers.ts joins every family's into one table). */
export const EIGENPRO_KINDS = { eigenproSetup, eigenproStep } satisfies Partial<Record<ThreadKindName, KindHandler>>;
