import { z } from 'zod';
import { gridValues, intAtLeast, numberIn, oneOf } from './params';
import { SumDecoder } from './sum-decoder';
import type { Plan, PlanContext, Scheme } from './types';

/** Spark's defaults: speculate once 75% of the round has finished, on tasks 1.5× past the median. */
export const DEFAULT_QUANTILE = 0.75;
export const DEFAULT_MULTIPLIER = 1.5;
/**
 * OverSketched Newton's §4.4: "we wait for at least 90% of the workers to return ... and restart
 * the jobs that did not return till this point": at the 90% arrival every task still out (all of
 * them out that long) gets its copy at once.
 */
export const PAPER_RULE = { quantile: 0.9, multiplier: 1 } as const;
export const SPECULATION_RULES = ['spark', 'paper'] as const;
/**
 * Two backup holders per slot: one backup host may itself be busy or slow, and a second costs only
 * memory (blocks are placed once per job, unlike Spark, whose backups read the input from HDFS).
 */
const DEFAULT_BACKUPS = 2;

export const speculativeParams = z
  .object({
    /**
     * spark (default): copies of tasks out longer than multiplier × the quantile's arrival time;
     * paper (OverSketched Newton §4.4): once 90% have answered, restart every task still out.
     */
    rule: oneOf(SPECULATION_RULES).default('spark'),
    /** Speculate once this share of the round has answered (spark rule; default 0.75). */
    quantile: numberIn(0, 1).optional(),
    /** on tasks out longer than multiplier × that quantile's arrival time (spark rule; default 1.5). */
    multiplier: numberIn(1, Infinity, true).optional(),
    /** Backup holders per slot (at most N − 1 are used). */
    backups: intAtLeast(1).default(DEFAULT_BACKUPS),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.rule !== 'paper') return;
    for (const k of ['quantile', 'multiplier'] as const) {
      if (p[k] !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [k], message: "is fixed by rule: paper (90% answered, then every task still out restarted); use rule: spark to set it" });
    }
  })
  .transform((p) => {
    const { quantile, multiplier } = p.rule === 'paper' ? PAPER_RULE : { quantile: p.quantile ?? DEFAULT_QUANTILE, multiplier: p.multiplier ?? DEFAULT_MULTIPLIER };
    return { rule: p.rule, quantile, multiplier, backups: p.backups };
  });
export type SpeculativeParams = z.infer<typeof speculativeParams>;

export type SpeculativeDescription = { blocks: number; slots: number; rule: 'spark' | 'paper'; quantile: number; multiplier: number; backupsPerSlot: number };

/** The grid an adaptive policy weighs: quantile {0.5, 0.75} × multiplier {1.25, 1.5, 2}. */
const CANDIDATE_GRID = { quantile: [0.5, 0.75], multiplier: [1.25, 1.5, 2] };

/**
 * Speculative execution (Spark-style backup tasks). Placement as wait-all, plus each slot's stored
 * blocks on `backups` more workers. The dispatcher launches a backup of a slot on one of those
 * workers once the slot has been out longer than multiplier × (the quantile of this round's arrival
 * times); the backup reports under the same slot id, and the first answer wins. Exact. The paper's
 * rule is the same machinery at quantile 0.9 and multiplier 1: when 90% have answered, every slot
 * still out has been out that long, so each gets its copy then (as soon as a holder is idle).
 */
export const speculative: Scheme<SpeculativeParams, SpeculativeDescription> = {
  name: 'speculative',
  summary: 'as wait-all, plus backup copies launched on idle workers for late tasks; first answer wins (exact)',
  params: speculativeParams,
  gradient: 'additive',
  approximate: false,
  stores: 'plain',
  multiBlockSlots: false,
  showdown: {},
  defaultBlocks: (workers) => workers,
  plan(ctx: PlanContext<SpeculativeParams>): Plan<SpeculativeDescription> {
    const K = ctx.blocks;
    const N = ctx.workers;
    const { rule, quantile, multiplier, backups: wanted } = ctx.params;
    // A backup on the slot's own host would queue behind the late task: only other workers count.
    const b = Math.min(wanted, N - 1);
    const stored = Array.from({ length: K }, (_, j) => ({ terms: [{ block: j, coef: 1 }] }));
    const slots = Array.from({ length: K }, (_, j) => ({ host: j % N, blocks: [{ stored: j, weight: 1 }] }));
    const backups = slots.map(({ host }) => backupHosts(host, b, N));
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
      describe: () => ({ blocks: K, slots: K, rule, quantile, multiplier, backupsPerSlot: b }),
    };
  },
  candidates({ workers: N, grid }) {
    if (N < 2) return [];
    const quantiles = gridValues(grid, 'quantile', CANDIDATE_GRID.quantile);
    const multipliers = gridValues(grid, 'multiplier', CANDIDATE_GRID.multiplier);
    return quantiles.flatMap((quantile) => multipliers.map((multiplier) => ({ params: { quantile, multiplier }, blocks: N, exact: true, label: `speculative q=${quantile} ×${multiplier}` })));
  },
};

/**
 * The b workers after `host` (cyclically): distinct from each other and from the host when b < N,
 * and every worker ends up holding the same number of backup blocks when K is a multiple of N.
 */
export function backupHosts(host: number, b: number, workers: number): number[] {
  return Array.from({ length: b }, (_, c) => (host + c + 1) % workers);
}
