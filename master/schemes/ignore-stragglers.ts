import { InputError } from '../../shared/errors';
import { firstQDecoder } from './sum-decoder';
import type { Plan, PlanContext, Scheme } from './types';

/**
 * Ignore stragglers: K blocks as wait-all, decode from the first q answers rescaled by K/q (an
 * unbiased minibatch gradient when arrivals are exchangeable), or from whatever arrived by the
 * round timeout (rescaled by K/arrived). Sends each round in a fresh random order, as every
 * first-q plan does: in slot order the first-sent slots would answer first round after round.
 */
export const ignoreStragglers: Scheme = {
  name: 'ignore-stragglers',
  summary: 'as wait-all, but decode from the first q answers rescaled by K/q (approximate)',
  parse(params) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(params)) {
      if (k === 'q' || k === 'fraction') {
        if (typeof v !== 'number' || !(v > 0)) throw new InputError(`scheme ignore-stragglers: ${k} must be a positive number`);
        if (k === 'q' && !Number.isInteger(v)) throw new InputError('scheme ignore-stragglers: q must be an integer');
        if (k === 'fraction' && v > 1) throw new InputError('scheme ignore-stragglers: fraction must be in (0, 1]');
        out[k] = v;
      } else if (k === 'timeout') {
        if (typeof v !== 'number' || !(v > 0)) throw new InputError('scheme ignore-stragglers: timeout must be positive seconds');
        out[k] = v;
      } else {
        throw new InputError(`scheme ignore-stragglers: unknown key '${k}' (known: q, fraction, timeout)`);
      }
    }
    if (out.q !== undefined && out.fraction !== undefined) throw new InputError('scheme ignore-stragglers: give q or fraction, not both');
    return out;
  },
  defaultBlocks: (workers) => workers,
  plan(ctx: PlanContext): Plan {
    const K = ctx.blocks;
    const p = ctx.params as { q?: number; fraction?: number; timeout?: number };
    const q = p.q ?? Math.max(1, Math.ceil((p.fraction ?? 0.75) * K));
    if (q > K) throw new InputError(`scheme ignore-stragglers: q = ${q} is more than the ${K} blocks`);
    const stored = Array.from({ length: K }, (_, j) => ({ terms: [{ block: j, coef: 1 }] }));
    const slots = Array.from({ length: K }, (_, j) => ({ host: j % ctx.workers, blocks: [{ stored: j, weight: 1 }] }));
    return {
      scheme: 'ignore-stragglers',
      shuffleSends: true,
      stored,
      slots,
      ...(p.timeout !== undefined ? { roundTimeout: p.timeout } : {}),
      decoder: () => firstQDecoder(q, K, q === K),
      describe: () => ({ blocks: K, slots: K, q }),
    };
  },
};
