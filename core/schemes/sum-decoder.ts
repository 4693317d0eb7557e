import { ClusterError } from '../../shared/errors';
import type { Decoded, RoundDecoder, WeightedSum } from './types';

/** A weighted sum's value, term after term in the given order (SumDecoder.decode's arithmetic). */
export function sumTerms(ws: WeightedSum): Decoded {
  if (ws.terms.length === 0) throw new Error('decoder: nothing to decode');
  const out = new Float64Array(ws.length);
  for (const { coef: c, value: v } of ws.terms) {
    for (let i = 0; i < v.length; i++) out[i]! += c * v[i]!;
  }
  return { value: out, used: ws.used, exact: ws.exact };
}

/**
 * Decoder for plans whose answer is a weighted sum of slot results: waits for `needed` slots
 * (chosen by `isEnough` over the set that arrived) and combines them with `coefficients`.
 * wait-all, ignore-stragglers and replication are instances.
 */
export class SumDecoder implements RoundDecoder {
  private readonly arrived = new Map<number, Float64Array>();
  private done = false;
  /** Values in every answer (the first one's). */
  private length: number | undefined;

  constructor(
    private readonly isEnough: (arrived: ReadonlyMap<number, Float64Array>) => boolean,
    private readonly coefficients: (arrived: ReadonlyMap<number, Float64Array>) => Map<number, number>,
    private readonly exact: boolean,
    private readonly earlyOk = false,
  ) {}

  /**
   * Throws a ClusterError for a slot that is no slot or an answer whose length differs from the
   * first one's (the master refuses such answers before they get here; a sum of vectors of
   * different lengths would be NaN where one is short and silently cut where one is long).
   */
  add(slot: number, value: Float64Array): boolean {
    if (!Number.isSafeInteger(slot) || slot < 0) throw new ClusterError(`sum decoder: no slot ${slot}`);
    if (this.length === undefined) this.length = value.length;
    else if (value.length !== this.length) throw new ClusterError(`sum decoder: slot ${slot} answered ${value.length} values, the others ${this.length}`);
    if (this.done) return true;
    if (!this.arrived.has(slot)) this.arrived.set(slot, value);
    this.done = this.isEnough(this.arrived);
    return this.done;
  }

  enough(): boolean {
    return this.done;
  }

  canDecodeEarly(): boolean {
    return this.earlyOk && this.arrived.size > 0;
  }

  decode(): Decoded {
    return sumTerms(this.weightedSum());
  }

  weightedSum(): WeightedSum {
    // Summed in slot order, not arrival order: floating-point addition is not associative, and
    // an exact scheme must give the same bits whichever of its workers answered first (a run
    // repeats exactly, and a job resumed after a master restart matches the uninterrupted one).
    const coefs = [...this.coefficients(this.arrived)].sort((a, b) => a[0] - b[0]);
    const terms: WeightedSum['terms'] = [];
    const used: number[] = [];
    for (const [slot, coef] of coefs) {
      const value = this.arrived.get(slot);
      if (!value) throw new Error(`decoder: slot ${slot} has no result`);
      terms.push({ coef, value });
      used.push(slot);
    }
    if (terms.length === 0) throw new Error('decoder: nothing to decode');
    return { terms, length: terms[0]!.value.length, used, exact: this.exact && this.done };
  }
}

/**
 * Decodes from the first q answers (fewer, at a round timeout), each weighted total/count: the
 * first-q estimators of ignore-stragglers (total = K) and leverage (total = q, the blocks already
 * rescaled by 1/sqrt(q·Π̃)). Unbiased when arrivals are exchangeable.
 */
export function firstQDecoder(q: number, total: number, exact: boolean): SumDecoder {
  return new SumDecoder(
    (arrived) => arrived.size >= q,
    (arrived) => {
      // A Map keeps arrival order.
      const firsts = [...arrived.keys()].slice(0, q);
      return new Map(firsts.map((s) => [s, total / firsts.length]));
    },
    exact,
    true,
  );
}
