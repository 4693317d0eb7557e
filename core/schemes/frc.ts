import { z } from 'zod';
import { InputError } from '../../shared/errors';
import { frcAssignment } from './frc-assignment';
import { FrcDecoder } from './frc-decoder';
import { binomialCoefficient, harmonic } from '../runtime/order-statistics';
import { gridValues, intAtLeast, oneOf } from './params';
import type { Plan, PlanContext, Scheme } from './types';

/**
 * Fractional repetition (frc): N workers in groups of s+1 (or s+2 when (s+1) ∤ N), every worker
 * of a group computes the sum of its group's block gradients; the round decodes exactly from one
 * complete residue class (Algorithm 4), i.e. from any N − s workers.
 *
 *   scheme: { name: frc, stragglers: 1 }            # decode from the first complete residue class
 *   scheme: { name: frc, stragglers: 2, decode: cover }   # or from the first answer per group
 *
 * The assignment and the decoder are exported for other algorithms (the inverse assigns column
 * blocks instead of data blocks and concatenates instead of summing).
 */
export { frcAssignment, splitEvenly, residueClass, completeResidueClass, type FrcAssignment } from './frc-assignment';
export { FrcDecoder, type FrcRule, type FrcCombine } from './frc-decoder';

export const frcParams = z
  .object({
    /** s: the stragglers tolerated (required: the scheme's one design choice). */
    stragglers: intAtLeast(0),
    /** residue (Algorithm 4) or cover (the first answer of every group). */
    decode: oneOf(['residue', 'cover']).default('residue'),
  })
  .strict();
export type FrcParams = z.infer<typeof frcParams>;

export type FrcDescription = {
  blocks: number;
  slots: number;
  stragglers: number;
  groups: number;
  groupSizes: number[];
  blocksPerGroup: number[];
  decode: FrcParams['decode'];
};

/** The decode rules an adaptive policy weighs; with `prune`, cover alone (never later than residue, as exact). */
const DECODE_RULES = ['residue', 'cover'] as const;

export const frc: Scheme<FrcParams, FrcDescription> = {
  name: 'frc',
  summary: 'fractional repetition: groups of s+1 workers share a block group; exact from any N−s answers',
  params: frcParams,
  gradient: 'additive',
  approximate: false,
  stores: 'plain',
  multiBlockSlots: true,
  showdown: { stragglers: 1 },
  /** The paper's ℓ = k: one data block per worker group. */
  defaultBlocks: (workers, { stragglers }) => Math.max(1, Math.floor(workers / (stragglers + 1))),
  check({ stragglers }, { workers }) {
    if (stragglers >= workers) {
      throw new InputError(`scheme frc: stragglers = ${stragglers} needs more than ${stragglers} workers, the job has ${workers}`);
    }
  },
  plan(ctx: PlanContext<FrcParams>): Plan<FrcDescription> {
    const p = ctx.params;
    const a = frcAssignment(ctx.workers, p.stragglers, ctx.blocks);
    const stored = Array.from({ length: ctx.blocks }, (_, j) => ({ terms: [{ block: j, coef: 1 }] }));
    const slots = Array.from({ length: ctx.workers }, (_, w) => ({
      host: w,
      blocks: a.tasksOfGroup[a.groupOfWorker[w]!]!.map((j) => ({ stored: j, weight: 1 })),
    }));
    return {
      scheme: 'frc',
      stored,
      slots,
      decoder: () => new FrcDecoder(a, 'sum', p.decode),
      describe: () => ({
        blocks: ctx.blocks,
        slots: slots.length,
        stragglers: p.stragglers,
        groups: a.groups,
        groupSizes: a.workersOfGroup.map((ws) => ws.length),
        blocksPerGroup: a.tasksOfGroup.map((ts) => ts.length),
        decode: p.decode,
      }),
    };
  },
  candidates({ workers: N, grid, prune }) {
    const rules = prune ? (['cover'] as const) : gridValues(grid, 'decode', DECODE_RULES);
    const out = [];
    for (let s = 1; s <= Math.min(3, N - 1); s++) {
      for (const decode of rules) out.push({ params: { stragglers: s, decode }, blocks: Math.floor(N / (s + 1)), exact: true, label: `frc s=${s} ${decode}` });
    }
    return out;
  },
  /**
   * (s+1) | N, K = N/(s+1): ℓ groups of g = s+1 workers with work g. cover: a group is done at its
   * fastest member, g·(shift + Exp(g·rate)), the round at the slowest group: g·shift + H_ℓ/rate.
   * residue: the first of s+1 disjoint classes of ℓ workers to complete, g·(shift + X), X the least
   * class maximum, P(X > t) = (1 − (1 − e^{−rate·t})^ℓ)^{s+1}; with u = 1 − e^{−rate·t},
   * E[X] = (1/rate)·∫₀¹ (Σ_{i<ℓ} uⁱ)(1 − u^ℓ)^s du = (1/rate)·Σ_{i<ℓ} Σ_{j≤s} C(s,j)(−1)^j/(i + ℓj + 1).
   */
  expectedIterationSeconds({ stragglers: s, decode }, { workers: N, blocks, fit }) {
    const g = s + 1;
    if (N % g !== 0 || blocks !== N / g) return undefined;
    const l = N / g;
    if (decode === 'cover') return g * fit.shift + harmonic(l) / fit.rate;
    let sum = 0;
    for (let i = 0; i < l; i++) for (let j = 0; j <= s; j++) sum += (binomialCoefficient(s, j) * (j % 2 ? -1 : 1)) / (i + l * j + 1);
    return g * (fit.shift + sum / fit.rate);
  },
};
