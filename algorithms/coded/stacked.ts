import { InputError } from '../../shared/errors';
import type { Decoded, Plan, RoundDecoder } from '../../core/schemes';

/**
 * An exact uncoded plan (wait-all, speculative: one plain data block a slot, every block once)
 * carrying matrix-vector products: its decoder stacks the blocks' answers in block order once
 * every block has answered (a speculative copy answers under its slot, so the first copy counts).
 * What the gradient's products run on when they are not coded: the baseline of the paper's
 * Fig. 6 ("speculative execution" for the gradient), with the scheme's own speculation kept.
 */
export function stackedPlan(plan: Plan, blockRows: readonly number[]): Plan {
  const blockOfSlot = plan.slots.map((s, slot) => {
    const only = s.blocks.length === 1 ? plan.stored[s.blocks[0]!.stored] : undefined;
    const term = only?.terms.length === 1 ? only.terms[0] : undefined;
    if (!term || term.coef !== 1 || s.blocks[0]!.weight !== 1) {
      throw new InputError(`${plan.scheme}: slot ${slot} is not one plain data block, so its matrix-vector products cannot be stacked (use a coded scheme: product-code or mds)`);
    }
    return term.block;
  });
  if (new Set(blockOfSlot).size !== blockOfSlot.length || blockOfSlot.length !== blockRows.length) {
    throw new InputError(`${plan.scheme}: stacking products needs every data block on exactly one slot`);
  }
  const offsets = [0];
  for (const r of blockRows) offsets.push(offsets[offsets.length - 1]! + r);
  return { ...plan, taskKinds: ['matvec'], decoder: () => new StackDecoder(blockOfSlot, offsets) };
}

/** Every slot's answer placed at its block's rows; enough once all have answered. */
export class StackDecoder implements RoundDecoder {
  private readonly value: Float64Array;
  private readonly seen = new Set<number>();

  constructor(
    private readonly blockOfSlot: readonly number[],
    private readonly offsets: readonly number[],
  ) {
    this.value = new Float64Array(offsets[offsets.length - 1]!);
  }

  add(slot: number, v: Float64Array): boolean {
    const j = this.blockOfSlot[slot];
    if (j === undefined) throw new RangeError(`stacked decoder: no slot ${slot}`);
    const rows = this.offsets[j + 1]! - this.offsets[j]!;
    if (v.length !== rows) throw new Error(`stacked decoder: slot ${slot} sent ${v.length} values, expected ${rows}`);
    if (!this.seen.has(slot)) {
      this.seen.add(slot);
      this.value.set(v, this.offsets[j]!);
    }
    return this.enough();
  }

  enough(): boolean {
    return this.seen.size === this.blockOfSlot.length;
  }

  canDecodeEarly(): boolean {
    return false;
  }

  decode(): Decoded {
    if (!this.enough()) throw new Error(`stacked decoder: ${this.seen.size} of ${this.blockOfSlot.length} blocks answered`);
    return { value: this.value, used: [...this.seen], exact: true };
  }
}
