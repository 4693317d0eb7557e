import { z } from 'zod';
import { InputError } from '../../shared/errors';
import { harmonic } from '../runtime/order-statistics';
import { intAtLeast } from './params';
import { SumDecoder } from './sum-decoder';
import type { Plan, PlanContext, Scheme } from './types';

const DEFAULT_R = 2;

export const replicationParams = z.object({ /** Copies of each block. */ r: intAtLeast(1).default(DEFAULT_R) }).strict();
export type ReplicationParams = z.infer<typeof replicationParams>;

export type ReplicationDescription = { blocks: number; slots: number; r: number; survives: number };

/**
 * Replication(r): every data block on r distinct workers (r slots); a round is done once each block
 * has one answer, and the first answer of each block is used. Exact; survives any r−1 stragglers
 * (and any pattern that leaves every block one copy).
 *
 * Copy c of block j is slot j·r + c on worker (j·r + c) mod N, so a block's copies sit on r
 * consecutive, hence distinct, workers whenever r ≤ N; with K = N/r every worker holds one slot.
 */
export const replication: Scheme<ReplicationParams, ReplicationDescription> = {
  name: 'replication',
  summary: 'every block on r workers; the first answer of each block wins (exact, survives r−1 stragglers)',
  params: replicationParams,
  gradient: 'additive',
  approximate: false,
  stores: 'plain',
  multiBlockSlots: false,
  showdown: { r: 2 },
  defaultBlocks: (workers, { r }) => Math.max(1, Math.floor(workers / r)),
  check({ r }, { workers }) {
    if (r > workers) throw new InputError(`scheme replication: r = ${r} copies need at least ${r} workers, the cluster has ${workers}`);
  },
  plan(ctx: PlanContext<ReplicationParams>): Plan<ReplicationDescription> {
    const K = ctx.blocks;
    const { r } = ctx.params;
    const stored = Array.from({ length: K }, (_, j) => ({ terms: [{ block: j, coef: 1 }] }));
    const blockOfSlot = Array.from({ length: K * r }, (_, s) => Math.floor(s / r));
    const slots = blockOfSlot.map((j, s) => ({ host: s % ctx.workers, blocks: [{ stored: j, weight: 1 }] }));
    return {
      scheme: 'replication',
      stored,
      slots,
      decoder: () => replicationDecoder(blockOfSlot, K),
      describe: () => ({ blocks: K, slots: slots.length, r, survives: r - 1 }),
    };
  },
  candidates: ({ workers: N }) => [2, 3].filter((r) => r <= N).map((r) => ({ params: { r }, blocks: Math.floor(N / r), exact: true, label: `replication r=${r}` })),
  /**
   * r | N, K = N/r: ℓ = N/r groups of r workers with work r; a block is done at its fastest copy,
   * r·(shift + Exp(r·rate)), the round at the slowest block: r·shift + H_ℓ/rate.
   */
  expectedIterationSeconds({ r }, { workers: N, blocks, fit }) {
    if (N % r !== 0 || blocks !== N / r) return undefined;
    return r * fit.shift + harmonic(N / r) / fit.rate;
  },
};

/** Enough once every block has an answer; uses the first answer that arrived for each block. */
export function replicationDecoder(blockOfSlot: readonly number[], blocks: number): SumDecoder {
  const covered = (arrived: ReadonlyMap<number, Float64Array>): boolean => {
    const seen = new Uint8Array(blocks);
    let n = 0;
    for (const s of arrived.keys()) {
      const j = blockOfSlot[s]!;
      if (!seen[j]) {
        seen[j] = 1;
        n++;
      }
    }
    return n === blocks;
  };
  const firstPerBlock = (arrived: ReadonlyMap<number, Float64Array>): Map<number, number> => {
    const chosen = new Map<number, number>();
    const seen = new Uint8Array(blocks);
    for (const s of arrived.keys()) {
      const j = blockOfSlot[s]!;
      if (!seen[j]) {
        seen[j] = 1;
        chosen.set(s, 1);
      }
    }
    return chosen;
  };
  return new SumDecoder(covered, firstPerBlock, true);
}
