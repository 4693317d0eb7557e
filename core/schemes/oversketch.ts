import { z } from 'zod';
import { ClusterError, InputError } from '../../shared/errors';
import { intAtLeast } from './params';
import type { Decoded, Plan, PlanContext, RoundDecoder, Scheme } from './types';

/**
 * OverSketch (eq. 7) as Figure 3 computes it: S = (1/√N)(S₁, …, S_{N+e}), Sᵢ iid count sketches
 * of width b, applied to A = diag(√γ)X. X is split into R row blocks Xⱼ; task (i, j) gets only
 * its row block's √γⱼ and returns the partial sketch Bᵢⱼ = Sᵢⱼᵀ diag(√γⱼ) Xⱼ (b×d), where Sᵢⱼ is
 * Sᵢ's rows for Xⱼ (the hash of a row depends on its global index only, so the partials add up:
 * Bᵢ = Σⱼ Bᵢⱼ = SᵢᵀA). Sketch block i is complete once all R partials arrived; the round is
 * enough once N blocks are complete (whichever N: the Sᵢ are iid and drawn independently of the
 * workers' delays, so the first N are as good as any N), and the master forms
 * Ĥ = (1/N)·Σ BᵢᵀBᵢ from them (the paper's §4.3: the sketch is small enough to multiply locally).
 * With R = 1 the worker that sketches also multiplies (Figure 3's second stage) and returns the
 * d×d BᵢᵀBᵢ instead.
 *
 * Placement: the workers form G = ⌊W/R⌋ groups of R; worker k of a group holds row block k only
 * (n·d·8/R bytes), and sketch block i runs on group i mod G, one task per worker. A slow worker
 * thus delays the ⌈(N+e)/G⌉ sketch blocks of its group; the default R (sketchRowBlocks) is the
 * largest for which that is at most e, so one slow worker is always ignored.
 *
 * Pure: no gRPC, no clock. Registered as `oversketch` (a Hessian sketch, no gradient: least squares,
 * the showdown and the adaptive policies leave it out); logistic regression's oversketched Newton
 * makes its shape from the job's `sketch:` keys.
 */
export interface OversketchShape {
  /** N: sketch blocks used. */
  blocks: number;
  /** e: extra blocks launched, the slowest e ignored. */
  extra: number;
  /** b: width of each block. */
  width: number;
  /** R: row blocks of X; each sketch task reads one (default 1: the whole of X). */
  rowBlocks?: number;
}

/**
 * The default R for W workers: the largest R ≤ W whose groups (⌊W/R⌋ of them) each carry at
 * most e of the N + e sketch blocks, so that one slow worker costs at most e blocks; 1 if none.
 */
export function sketchRowBlocks(workers: number, blocks: number, extra: number): number {
  let best = 1;
  for (let R = 1; R <= workers; R++) {
    const groups = Math.floor(workers / R);
    if (extra > 0 && Math.ceil((blocks + extra) / groups) <= extra) best = R;
  }
  return best;
}

/** Which sketch block and row block each slot computes: slot i·R + j is task (i, j). */
export interface OversketchSlots {
  rowBlocks: number;
  sketchOfSlot: number[];
  rowOfSlot: number[];
}

export function oversketchSlots(shape: OversketchShape): OversketchSlots {
  const R = shape.rowBlocks ?? 1;
  const sketchOfSlot: number[] = [];
  const rowOfSlot: number[] = [];
  for (let i = 0; i < shape.blocks + shape.extra; i++) {
    for (let j = 0; j < R; j++) {
      sketchOfSlot.push(i);
      rowOfSlot.push(j);
    }
  }
  return { rowBlocks: R, sketchOfSlot, rowOfSlot };
}

export type OversketchDescription = {
  blocks: number;
  extra: number;
  width: number;
  rowBlocks: number;
  groups: number;
  sketchDimension: number;
  slots: number;
  returns: string;
};

/** The plan over R row blocks of X (data blocks 0..R−1): slot (i, j) on worker (i mod G)·R + j. */
export function oversketchPlan(shape: OversketchShape, workers: number, cols: number): Plan<OversketchDescription> {
  const layout = oversketchSlots(shape);
  const R = layout.rowBlocks;
  if (!(Number.isInteger(R) && R >= 1 && R <= workers)) throw new InputError(`oversketch: ${R} row blocks need as many workers; there are ${workers}`);
  const groups = Math.floor(workers / R);
  const slots = layout.sketchOfSlot.map((i, s) => ({ host: (i % groups) * R + layout.rowOfSlot[s]!, blocks: [{ stored: layout.rowOfSlot[s]!, weight: 1 }] }));
  const blockLength = R === 1 ? cols * cols : shape.width * cols;
  return {
    scheme: 'oversketch',
    // First N of N+e: sent in a fresh random order each round, like every first-q plan.
    shuffleSends: true,
    stored: Array.from({ length: R }, (_, j) => ({ terms: [{ block: j, coef: 1 }] })),
    slots,
    decoder: () => new SketchBlocksDecoder(shape.blocks, R, layout.sketchOfSlot, blockLength),
    describe: () => ({
      blocks: shape.blocks,
      extra: shape.extra,
      width: shape.width,
      rowBlocks: R,
      groups,
      sketchDimension: shape.blocks * shape.width,
      slots: slots.length,
      returns: R === 1 ? 'BᵢᵀBᵢ (d×d), multiplied on the worker' : 'partial sketches Bᵢⱼ (b×d), summed and multiplied at the master',
    }),
  };
}

export const oversketchParams = z
  .object({
    /** N: sketch blocks used. */
    blocks: intAtLeast(1),
    /** e: extra sketch blocks launched, the slowest e ignored. */
    extra: intAtLeast(0),
    /** b: width of each sketch block. */
    width: intAtLeast(1),
  })
  .strict();
export type OversketchParams = z.infer<typeof oversketchParams>;

/** OverSketch over R = K row blocks of X (the job's data blocks). */
export const oversketch: Scheme<OversketchParams, OversketchDescription> = {
  name: 'oversketch',
  summary: 'N+e count-sketch blocks of the Hessian square root; the first N complete blocks (approximate Hessian)',
  params: oversketchParams,
  gradient: 'none',
  approximate: true,
  stores: 'plain',
  multiBlockSlots: false,
  /** One row block: every sketch task reads the whole of X. */
  defaultBlocks: () => 1,
  check(_p, { workers, blocks: R }) {
    if (R > workers) throw new InputError(`oversketch: ${R} row blocks need as many workers; there are ${workers}`);
  },
  plan(ctx: PlanContext<OversketchParams>): Plan<OversketchDescription> {
    if (ctx.cols === undefined) throw new InputError('scheme oversketch: needs the columns of the data (its answers are d×d or b×d)');
    return oversketchPlan({ ...ctx.params, rowBlocks: ctx.blocks }, ctx.workers, ctx.cols);
  },
};

/**
 * Sums each sketch block's R partial answers; enough once `needed` blocks are complete. Decodes to
 * the complete blocks' sums stacked in completion order.
 */
export class SketchBlocksDecoder implements RoundDecoder {
  private readonly sums = new Map<number, Float64Array>();
  private readonly count = new Map<number, number>();
  private readonly seen = new Set<number>();
  private readonly complete: number[] = [];

  constructor(
    private readonly needed: number,
    private readonly partsPerBlock: number,
    private readonly sketchOfSlot: readonly number[],
    private readonly blockLength: number,
  ) {}

  add(slot: number, value: Float64Array): boolean {
    if (value.length !== this.blockLength) throw new ClusterError(`oversketch decoder: slot ${slot} sent ${value.length} values, expected ${this.blockLength}`);
    const i = this.sketchOfSlot[slot];
    if (i === undefined) throw new ClusterError(`oversketch decoder: no slot ${slot}`);
    if (this.enough() || this.seen.has(slot)) return this.enough();
    this.seen.add(slot);
    let acc = this.sums.get(i);
    if (!acc) this.sums.set(i, (acc = new Float64Array(this.blockLength)));
    for (let k = 0; k < value.length; k++) acc[k]! += value[k]!;
    const c = (this.count.get(i) ?? 0) + 1;
    this.count.set(i, c);
    if (c === this.partsPerBlock) this.complete.push(i);
    return this.enough();
  }

  enough(): boolean {
    return this.complete.length >= this.needed;
  }

  canDecodeEarly(): boolean {
    return false;
  }

  decode(): Decoded {
    if (!this.enough()) throw new Error(`oversketch decoder: ${this.complete.length} of the ${this.needed} sketch blocks needed are complete`);
    const value = new Float64Array(this.needed * this.blockLength);
    const blocks = new Set(this.complete.slice(0, this.needed));
    [...blocks].forEach((i, k) => value.set(this.sums.get(i)!, k * this.blockLength));
    const used = this.sketchOfSlot.flatMap((i, s) => (blocks.has(i) && this.seen.has(s) ? [s] : []));
    return { value, used, exact: false };
  }
}
