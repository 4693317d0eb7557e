import { z } from 'zod';
import { InputError } from '../../shared/errors';
import { expectedKthOf } from '../runtime/order-statistics';
import { firstQDecoder } from './sum-decoder';
import { intAtLeast, numberIn } from './params';
import type { Plan, PlanContext, Scheme } from './types';

export const ignoreStragglersParams = z
  .object({
    /** Answers decoded from a round (default ⌈0.75·K⌉). */
    q: intAtLeast(1).optional(),
    /** Or as a share of the K blocks. */
    fraction: numberIn(0, 1).optional(),
    /** Seconds after which a round decodes with what arrived. */
    timeout: numberIn(0, Infinity).optional(),
  })
  .strict()
  .refine((p) => p.q === undefined || p.fraction === undefined, { message: 'give q or fraction, not both' });
export type IgnoreStragglersParams = z.infer<typeof ignoreStragglersParams>;

export type IgnoreStragglersDescription = { blocks: number; slots: number; q: number };

/** q for K blocks: the given q, or ⌈fraction·K⌉ (default fraction 0.75). */
function answersOf(p: IgnoreStragglersParams, K: number): number {
  return p.q ?? Math.max(1, Math.ceil((p.fraction ?? 0.75) * K));
}

/** The q an adaptive policy tries on N workers: N − 1, N − 2, ⌈3N/4⌉, ⌈N/2⌉ (those below N), largest first. */
export function candidateAnswers(N: number): number[] {
  return [...new Set([N - 1, N - 2, Math.ceil(0.75 * N), Math.ceil(N / 2)])].filter((q) => q >= 1 && q < N).sort((a, b) => b - a);
}

/**
 * Ignore stragglers: K blocks as wait-all, decode from the first q answers rescaled by K/q (an
 * unbiased minibatch gradient when arrivals are exchangeable), or from whatever arrived by the
 * round timeout (rescaled by K/arrived). Sends each round in a fresh random order, as every
 * first-q plan does: in slot order the first-sent slots would answer first round after round.
 */
export const ignoreStragglers: Scheme<IgnoreStragglersParams, IgnoreStragglersDescription> = {
  name: 'ignore-stragglers',
  summary: 'as wait-all, but decode from the first q answers rescaled by K/q (approximate)',
  params: ignoreStragglersParams,
  gradient: 'additive',
  approximate: true,
  stores: 'plain',
  multiBlockSlots: false,
  showdown: {},
  defaultBlocks: (workers) => workers,
  check(p, { blocks }) {
    const q = answersOf(p, blocks);
    if (q > blocks) throw new InputError(`scheme ignore-stragglers: q = ${q} is more than the ${blocks} blocks`);
  },
  plan(ctx: PlanContext<IgnoreStragglersParams>): Plan<IgnoreStragglersDescription> {
    const K = ctx.blocks;
    const p = ctx.params;
    const q = answersOf(p, K);
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
  candidates: ({ workers: N }) => (N >= 2 ? candidateAnswers(N).map((q) => ({ params: { q }, blocks: N, exact: false, label: `ignore-stragglers q=${q}` })) : []),
  /** The q-th fastest of N (one block per worker). */
  expectedIterationSeconds: (p, { workers, blocks, fit }) => (blocks === workers ? expectedKthOf(answersOf(p, blocks), workers, fit) : undefined),
  sampling: (p, blocks) => ({ q: answersOf(p, blocks), population: blocks }),
  /** The fair share's answers of its slots (one block a slot), unless its own q or fraction says otherwise. */
  fairShare: (p, share) => (p.q !== undefined || p.fraction !== undefined ? undefined : { params: { q: share.answers }, blocks: share.jobBlocks ?? share.slots }),
};
