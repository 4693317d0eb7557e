import type { SchemeSpec } from '../../../shared/config';
import { InputError } from '../../../shared/errors';
import { chooseScheme } from '../../../core/schemes';
import type { StragglerShowdownJobSpec } from './schema';

/**
 * A fair share for the approximate schemes: the same tasks a round (`slots`) and answers decoded
 * from (`answers`), unless their own parameters say otherwise. ignore-stragglers decodes the
 * first `answers` of `slots` one-block slots; leverage spreads slots/2 blocks over the slots (it
 * needs more slots than blocks to replicate by score) and decodes the first `answers`. Other
 * schemes are left as they are.
 */
export function fairShare(spec: SchemeSpec, slots: number, answers: number, jobBlocks?: number): { spec: SchemeSpec; blocks?: number } {
  const keep = jobBlocks !== undefined ? { blocks: jobBlocks } : {};
  if (spec.name === 'ignore-stragglers') {
    if (spec.q !== undefined || spec.fraction !== undefined) return { spec, ...keep };
    return { spec: { ...spec, q: answers }, blocks: jobBlocks ?? slots };
  }
  if (spec.name === 'leverage') {
    const out: SchemeSpec = { ...spec, slots: spec.slots ?? slots, q: spec.q ?? answers };
    return { spec: out, blocks: jobBlocks ?? Math.max(1, Math.floor((out.slots as number) / 2)) };
  }
  return { spec, ...keep };
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
