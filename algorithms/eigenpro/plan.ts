import { ClusterError } from '../../shared/errors';
import type { Decoded, Plan, RoundDecoder } from '../../core/schemes';

/**
 * EigenPro's placement: every worker stores every data block (all n centers, placed once:
 * G·n·d·8 bytes streamed in total, n·d·8 held per worker); slot r runs on worker r and lists its
 * own block r first. A round waits for every slot and concatenates the answers in slot order
 * (slot r's answer covers slice r), which is what the synchronous form needs: it must hear every
 * worker before it steps. For G logical workers (placing maps them onto the live ones).
 */
export function everyCenterEverywherePlan(G: number): Plan {
  const stored = Array.from({ length: G }, (_, j) => ({ terms: [{ block: j, coef: 1 }] }));
  const slots = Array.from({ length: G }, (_, r) => ({
    host: r,
    blocks: [r, ...Array.from({ length: G }, (_, j) => j).filter((j) => j !== r)].map((j) => ({ stored: j, weight: 1 })),
  }));
  return {
    scheme: 'eigenpro-gather',
    stored,
    slots,
    decoder: () => new GatherDecoder(G),
    describe: () => ({ placement: 'every worker holds all n centers', slots: G }),
  };
}

/** Waits for all `slots` answers and returns them concatenated in slot order. */
export class GatherDecoder implements RoundDecoder {
  private readonly parts = new Map<number, Float64Array>();
  constructor(private readonly slots: number) {}
  add(slot: number, value: Float64Array): boolean {
    if (!Number.isSafeInteger(slot) || slot < 0 || slot >= this.slots) throw new ClusterError(`gather decoder: no slot ${slot}`);
    this.parts.set(slot, value);
    return this.enough();
  }
  enough(): boolean {
    return this.parts.size === this.slots;
  }
  canDecodeEarly(): boolean {
    return false;
  }
  decode(): Decoded {
    const len = [...this.parts.values()].reduce((s, v) => s + v.length, 0);
    const out = new Float64Array(len);
    let o = 0;
    for (let s = 0; s < this.slots; s++) {
      const v = this.parts.get(s);
      if (!v) throw new Error(`gather decoder: slot ${s} has not answered`);
      out.set(v, o);
      o += v.length;
    }
    return { value: out, used: Array.from({ length: this.slots }, (_, i) => i), exact: true };
  }
}

/** Splits a gathered answer back into per-slot parts of the given lengths. */
export function splitGathered(value: Float64Array, lengths: number[]): Float64Array[] {
  const out: Float64Array[] = [];
  let o = 0;
  for (const l of lengths) {
    out.push(value.subarray(o, o + l));
    o += l;
  }
  return out;
}
