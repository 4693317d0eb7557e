import { defined, optionalInt, optionalNumber, rejectUnknownKeys } from './params';
import { SumDecoder } from './sum-decoder';
import type { Plan, PlanContext, Scheme } from './types';

const KEYS = ['quantile', 'multiplier', 'backups'] as const;
/** Spark's defaults: speculate once 75% of the round has finished, on tasks 1.5× past the median. */
export const DEFAULT_QUANTILE = 0.75;
export const DEFAULT_MULTIPLIER = 1.5;
/**
 * Two backup holders per slot: one backup host may itself be busy or slow, and a second costs only
 * memory (blocks are placed once per job, unlike Spark, whose backups read the input from HDFS).
 */
const DEFAULT_BACKUPS = 2;

/**
 * Speculative execution (Spark-style backup tasks). Placement as wait-all, plus each slot's stored
 * blocks on `backups` more workers. The dispatcher launches a backup of a slot on one of those
 * workers once the slot has been out longer than multiplier × (the quantile of this round's arrival
 * times); the backup reports under the same slot id, and the first answer wins. Exact.
 */
export const speculative: Scheme = {
  name: 'speculative',
  summary: 'as wait-all, plus backup copies launched on idle workers for late tasks; first answer wins (exact)',
  parse(params) {
    rejectUnknownKeys('speculative', params, KEYS);
    return defined({
      quantile: optionalNumber('speculative', params, 'quantile', 0, 1),
      multiplier: optionalNumber('speculative', params, 'multiplier', 1, Infinity, true),
      backups: optionalInt('speculative', params, 'backups', 1),
    });
  },
  defaultBlocks: (workers) => workers,
  plan(ctx: PlanContext): Plan {
    const K = ctx.blocks;
    const N = ctx.workers;
    const p = ctx.params as { quantile?: number; multiplier?: number; backups?: number };
    // A backup on the slot's own host would queue behind the late task: only other workers count.
    const b = Math.min(p.backups ?? DEFAULT_BACKUPS, N - 1);
    const stored = Array.from({ length: K }, (_, j) => ({ terms: [{ block: j, coef: 1 }] }));
    const slots = Array.from({ length: K }, (_, j) => ({ host: j % N, blocks: [{ stored: j, weight: 1 }] }));
    const backups = slots.map(({ host }) => backupHosts(host, b, N));
    const quantile = p.quantile ?? DEFAULT_QUANTILE;
    const multiplier = p.multiplier ?? DEFAULT_MULTIPLIER;
    return {
      scheme: 'speculative',
      stored,
      slots,
      speculation: { quantile, multiplier, backups },
      decoder: () =>
        new SumDecoder(
          (arrived) => arrived.size === K,
          () => new Map(slots.map((_, s) => [s, 1])),
          true,
        ),
      describe: () => ({ blocks: K, slots: K, quantile, multiplier, backupsPerSlot: b }),
    };
  },
};

/**
 * The b workers after `host` (cyclically): distinct from each other and from the host when b < N,
 * and every worker ends up holding the same number of backup blocks when K is a multiple of N.
 */
export function backupHosts(host: number, b: number, workers: number): number[] {
  return Array.from({ length: b }, (_, c) => (host + c + 1) % workers);
}
