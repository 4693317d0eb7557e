import { ClusterError, InputError } from '../../shared/errors';
import type { Decoded, Plan, RoundDecoder } from '../../core/schemes';

/**
 * An exact uncoded plan (wait-all, speculative, replication: one plain data block a slot, every
 * block on at least one slot) carrying matrix-vector products: its decoder stacks the blocks'
 * answers in block order once every block has answered (the first answer per block counts: a
 * speculative copy answers under its slot, a replica under its own).
 * What the gradient's products run on when they are not coded: the baseline of the paper's
 * Fig. 6 ("speculative execution" for the gradient), with the scheme's own speculation kept.
 */
export function stackedPlan(plan: Plan, blockRows: readonly number[]): Plan {
  const blockOfSlot = blockOfEachSlot(plan);
  const covered = new Set(blockOfSlot);
  if (covered.size !== blockRows.length || blockOfSlot.some((j) => j < 0 || j >= blockRows.length)) {
    throw new InputError(`${plan.scheme}: stacking products needs each of the ${blockRows.length} data blocks on a slot (${covered.size} are)`);
  }
  const offsets = [0];
  for (const r of blockRows) offsets.push(offsets[offsets.length - 1]! + r);
  return { ...plan, taskKinds: ['matvec'], decoder: () => new StackDecoder(blockOfSlot, offsets) };
}

/** The data block each slot of a plain-block plan computes on (a slot that is not one plain block is refused). */
export function blockOfEachSlot(plan: Plan): number[] {
  return plan.slots.map((s, slot) => {
    const only = s.blocks.length === 1 ? plan.stored[s.blocks[0]!.stored] : undefined;
    const term = only?.terms.length === 1 ? only.terms[0] : undefined;
    if (!term || term.coef !== 1 || s.blocks[0]!.weight !== 1) {
      throw new InputError(`${plan.scheme}: slot ${slot} is not one plain data block, so its matrix-vector products cannot be stacked (use a coded scheme: product-code or mds)`);
    }
    return term.block;
  });
}

/** Each block's first answer placed at its rows; enough once every block has answered. */
export class StackDecoder implements RoundDecoder {
  private readonly value: Float64Array;
  /** Block -> the slot whose answer filled it. */
  private readonly filled = new Map<number, number>();
  private readonly blocks: number;

  constructor(
    private readonly blockOfSlot: readonly number[],
    private readonly offsets: readonly number[],
  ) {
    this.value = new Float64Array(offsets[offsets.length - 1]!);
    this.blocks = offsets.length - 1;
  }

  add(slot: number, v: Float64Array): boolean {
    const j = this.blockOfSlot[slot];
    if (j === undefined) throw new ClusterError(`stacked decoder: no slot ${slot}`);
    const rows = this.offsets[j + 1]! - this.offsets[j]!;
    if (v.length !== rows) throw new ClusterError(`stacked decoder: slot ${slot} sent ${v.length} values, expected ${rows}`);
    if (!this.filled.has(j)) {
      this.filled.set(j, slot);
      this.value.set(v, this.offsets[j]!);
    }
    return this.enough();
  }

  enough(): boolean {
    return this.filled.size === this.blocks;
  }

  canDecodeEarly(): boolean {
    return false;
  }

  decode(): Decoded {
    if (!this.enough()) throw new ClusterError(`stacked decoder: ${this.filled.size} of ${this.blocks} blocks answered`);
    return { value: this.value, used: [...this.filled.values()], exact: true };
  }
}
