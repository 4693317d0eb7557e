import { z } from 'zod';
import { InputError } from '../../shared/errors';
import { frcAssignment } from './frc-assignment';
import { FrcDecoder } from './frc-decoder';
import { intAtLeast, oneOf } from './params';
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

export const frc: Scheme<FrcParams> = {
  name: 'frc',
  summary: 'fractional repetition: groups of s+1 workers share a block group; exact from any N−s answers',
  params: frcParams,
  /** The paper's ℓ = k: one data block per worker group. */
  defaultBlocks: (workers, { stragglers }) => Math.max(1, Math.floor(workers / (stragglers + 1))),
  check({ stragglers }, { workers }) {
    if (stragglers >= workers) {
      throw new InputError(`scheme frc: stragglers = ${stragglers} needs more than ${stragglers} workers, the job has ${workers}`);
    }
  },
  plan(ctx: PlanContext<FrcParams>): Plan {
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
};
