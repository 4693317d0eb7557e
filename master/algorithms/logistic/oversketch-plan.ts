import type { Decoded, Plan, RoundDecoder } from '../../schemes';

/**
 * OverSketch (eq. 7): S = (1/√N)(S₁, …, S_{N+e}), Sᵢ iid count sketches of width b. One slot per
 * sketch block; slot i returns the d×d Gram matrix of Bᵢ = SᵢᵀA (b×d) for A = diag(√γ)X. The round is enough once N blocks
 * arrived — whichever N: the e slowest are ignored, and since the Sᵢ are iid and drawn
 * independently of the workers' delays, the first N are as good as any N.
 *
 * Placement: every slot's block is the whole of X (one stored block), because a count-sketch
 * column mixes rows from all of X. Each slot's host keeps a full copy (n·d·8 bytes per host,
 * streamed once per job); in exchange a task is one pass over X (O(nnz)) with no reduction
 * between workers, and the master only sends √γ (n values) and a seed per task.
 * (Row blocks with per-block partial sketches summed would also work — the hash depends on the
 * global row only — at the price of K·(N+e) tasks and a sketch that needs all K partials.)
 *
 * Pure: no gRPC, no clock. Named for the DESIGN's scheme table, kept with its one user.
 */
export interface OversketchShape {
  /** N: sketch blocks used. */
  blocks: number;
  /** e: extra blocks launched, the slowest e ignored. */
  extra: number;
  /** b: width of each block. */
  width: number;
}

export function oversketchPlan(shape: OversketchShape, workers: number, cols: number): Plan {
  const slots = Array.from({ length: shape.blocks + shape.extra }, (_, s) => ({ host: s % workers, blocks: [{ stored: 0, weight: 1 }] }));
  return {
    scheme: 'oversketch',
    // First N of N+e: sent in a fresh random order each round, like every first-q plan.
    shuffleSends: true,
    stored: [{ terms: [{ block: 0, coef: 1 }] }],
    slots,
    decoder: () => new FirstBlocksDecoder(shape.blocks, cols * cols),
    describe: () => ({ ...shape, sketchDimension: shape.blocks * shape.width, slots: slots.length }),
  };
}

/** Enough after `needed` distinct slots; decodes to their blocks stacked in arrival order. */
export class FirstBlocksDecoder implements RoundDecoder {
  private readonly arrived = new Map<number, Float64Array>();

  constructor(
    private readonly needed: number,
    private readonly blockLength: number,
  ) {}

  add(slot: number, value: Float64Array): boolean {
    if (value.length !== this.blockLength) throw new Error(`oversketch decoder: slot ${slot} sent ${value.length} values, expected ${this.blockLength}`);
    if (!this.enough() && !this.arrived.has(slot)) this.arrived.set(slot, value);
    return this.enough();
  }

  enough(): boolean {
    return this.arrived.size >= this.needed;
  }

  canDecodeEarly(): boolean {
    return false;
  }

  decode(): Decoded {
    if (!this.enough()) throw new Error(`oversketch decoder: ${this.arrived.size} of the ${this.needed} blocks needed`);
    const value = new Float64Array(this.needed * this.blockLength);
    const used: number[] = [];
    [...this.arrived].forEach(([slot, v], k) => {
      value.set(v, k * this.blockLength);
      used.push(slot);
    });
    return { value, used, exact: false };
  }
}
