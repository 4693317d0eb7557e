import { z } from 'zod';
import { expectedKthOf } from '../runtime/order-statistics';
import { SumDecoder } from './sum-decoder';
import type { Plan, PlanContext, Scheme } from './types';

export const waitAllParams = z.object({}).strict();

export type WaitAllDescription = { blocks: number; slots: number };

/** Baseline: K blocks, slot k on worker k mod N, wait for every slot; exact. */
export const waitAll: Scheme<z.infer<typeof waitAllParams>, WaitAllDescription> = {
  name: 'wait-all',
  summary: 'every block on one worker; wait for every answer (exact, the honest baseline)',
  params: waitAllParams,
  gradient: 'additive',
  approximate: false,
  stores: 'plain',
  multiBlockSlots: false,
  showdown: {},
  defaultBlocks: (workers) => workers,
  plan(ctx: PlanContext): Plan<WaitAllDescription> {
    const K = ctx.blocks;
    const stored = Array.from({ length: K }, (_, j) => ({ terms: [{ block: j, coef: 1 }] }));
    const slots = Array.from({ length: K }, (_, j) => ({ host: j % ctx.workers, blocks: [{ stored: j, weight: 1 }] }));
    return {
      scheme: 'wait-all',
      stored,
      slots,
      decoder: () =>
        new SumDecoder(
          (arrived) => arrived.size === K,
          () => new Map(slots.map((_, s) => [s, 1])),
          true,
        ),
      describe: () => ({ blocks: K, slots: K }),
    };
  },
  candidates: ({ workers }) => [{ params: {}, blocks: workers, exact: true, label: 'wait-all' }],
  /** The slowest of N: shift + H_N/rate (one block per worker). */
  expectedIterationSeconds: (_p, { workers, blocks, fit }) => (blocks === workers ? expectedKthOf(workers, workers, fit) : undefined),
};
