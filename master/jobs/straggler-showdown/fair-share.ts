import type { SchemeSpec } from '../../../shared/config';
import { InputError } from '../../../shared/errors';
import { chooseScheme, lookupScheme } from '../../../core/schemes';
import type { StragglerShowdownJobSpec } from './schema';

/**
 * A fair share for the approximate schemes: the same tasks a round (`slots`) and answers decoded
 * from (`answers`), unless their own parameters say otherwise. Each scheme says what that means
 * for it (Scheme.fairShare: ignore-stragglers decodes the first `answers` of `slots` one-block
 * slots; leverage spreads slots/2 blocks over the slots and decodes the first `answers`); the
 * others are left as they are.
 */
export function fairShare(spec: SchemeSpec, slots: number, answers: number, jobBlocks?: number): { spec: SchemeSpec; blocks?: number } {
  const { name, ...raw } = spec;
  const share = lookupScheme(name).fairShare(raw, { slots, answers, jobBlocks });
  if (share) return { spec: { name, ...share.params }, blocks: share.blocks };
  return { spec, ...(jobBlocks !== undefined ? { blocks: jobBlocks } : {}) };
}

/** The showdown's schemes with their fair shares applied, each parsed: what the run places and the check checks. */
export function showdownSchemes(job: Pick<StragglerShowdownJobSpec, 'approximate' | 'schemes' | 'blocks'>, workers: number) {
  const fairSlots = job.approximate.slots ?? workers;
  const fairAnswers = job.approximate.answers ?? Math.ceil(0.75 * fairSlots);
  if (fairAnswers > fairSlots) throw new InputError(`straggler-showdown: approximate.answers = ${fairAnswers} is more than its ${fairSlots} slots`);
  const specs = job.schemes.map((s) => {
    const share = fairShare(s, fairSlots, fairAnswers, job.blocks);
    return { ...share, choice: chooseScheme(share.spec) };
  });
  return { fairSlots, fairAnswers, specs };
}
