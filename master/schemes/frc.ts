import { InputError } from '../../shared/errors';
import { frcAssignment } from './frc-assignment';
import { FrcDecoder, type FrcRule } from './frc-decoder';
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

export interface FrcParams {
  stragglers: number;
  decode: FrcRule;
}

export function parseFrcParams(params: Record<string, unknown>): FrcParams {
  let stragglers: number | undefined;
  let decode: FrcRule = 'residue';
  for (const [k, v] of Object.entries(params)) {
    if (k === 'stragglers') {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
        throw new InputError(`scheme frc: stragglers must be a non-negative integer, got ${JSON.stringify(v)}`);
      }
      stragglers = v;
    } else if (k === 'decode') {
      if (v !== 'residue' && v !== 'cover') throw new InputError(`scheme frc: decode must be 'residue' or 'cover', got ${JSON.stringify(v)}`);
      decode = v;
    } else {
      throw new InputError(`scheme frc: unknown key '${k}' (known: stragglers, decode)`);
    }
  }
  if (stragglers === undefined) throw new InputError('scheme frc: stragglers is required (the number of stragglers s to tolerate)');
  return { stragglers, decode };
}

export const frc: Scheme = {
  name: 'frc',
  summary: 'fractional repetition: groups of s+1 workers share a block group; exact from any N−s answers',
  parse: (params) => ({ ...parseFrcParams(params) }),
  /** The paper's ℓ = k: one data block per worker group. */
  defaultBlocks: (workers, params) => Math.max(1, Math.floor(workers / ((params as unknown as FrcParams).stragglers + 1))),
  plan(ctx: PlanContext): Plan {
    const p = ctx.params as unknown as FrcParams;
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
