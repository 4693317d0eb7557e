import type { pb } from '../../shared/wire';
import type { AnswerSpec } from './task-kinds';

/**
 * Why the master refused an answer to a task it sent (the `reason` label of
 * coda_bad_answers_total): the slot is then treated as failed on that worker and run elsewhere.
 * - malformed: no payload, bytes that are no whole float64 values, or a shape its bytes do not fill;
 * - length: a well-formed tensor with more or fewer values than the task's answer has;
 * - shape: the right number of values in the wrong shape;
 * - non-finite: a NaN or an infinity where the kind's answer must be finite;
 * - failed: a failure report (an error status) for a task that another worker then ran, or that
 *   the round still finished without: one worker's word does not fail a job.
 */
export type BadAnswerReason = 'malformed' | 'length' | 'shape' | 'non-finite' | 'failed';

/**
 * Why the master ignored a message on a task stream without letting it touch a round (the
 * `reason` label of coda_ignored_answers_total):
 * - late: for no round in flight (a straggler's answer that crossed its cancellation, or an
 *   answer naming another job or round);
 * - unknown-slot: for a round in flight, but a slot it never sent to that worker;
 * - duplicate: more answers for a slot than it was sent to that worker;
 * - empty: a reply that is neither a result nor a failure;
 * - dropped: from a worker dropped from the job for its bad answers.
 */
export type IgnoredAnswerReason = 'late' | 'unknown-slot' | 'duplicate' | 'empty' | 'dropped';

export type AnswerCheck = { ok: true; values: Float64Array } | { ok: false; reason: BadAnswerReason; detail: string };

const fmt = (shape: readonly number[]): string => `(${shape.join(', ')})`;

/**
 * Checks a result against what its task's answer must be (task-kinds.ts) without trusting any
 * of its fields: never throws, and never allocates more than the message already holds (the
 * values are a view on its bytes when they are aligned and few, a copy of them otherwise).
 */
export function checkAnswer(res: pb.TaskResult__Output, spec: AnswerSpec): AnswerCheck {
  const t = res.payload;
  if (!t || !(t.data instanceof Uint8Array) || !Array.isArray(t.shape)) return { ok: false, reason: 'malformed', detail: 'no payload tensor' };
  const bytes = t.data.byteLength;
  if (bytes % 8 !== 0) return { ok: false, reason: 'malformed', detail: `${bytes} bytes are no whole number of float64 values` };
  const count = bytes / 8;
  let claimed = 1;
  for (const d of t.shape) claimed *= Number(d);
  if (claimed !== count) return { ok: false, reason: 'malformed', detail: `shape ${fmt(t.shape)} with ${count} values` };
  let expected = 1;
  for (const d of spec.shape) expected *= d;
  if (count !== expected) return { ok: false, reason: 'length', detail: `${count} values, expected ${expected} ${fmt(spec.shape)}` };
  if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => Number(d) !== spec.shape[i])) {
    return { ok: false, reason: 'shape', detail: `shape ${fmt(t.shape)}, expected ${fmt(spec.shape)}` };
  }
  // A big answer goes to shared memory (its copy is one memcpy as it arrives): a long decode
  // then reads it on the compute thread without another copy on the loop (round-run.ts).
  const values = count >= SHARED_ANSWER_VALUES ? sharedCopy(t.data) : t.data.byteOffset % 8 === 0 ? new Float64Array(t.data.buffer, t.data.byteOffset, count) : alignedCopy(t.data);
  if (spec.finite) {
    for (let i = 0; i < count; i++) {
      if (!Number.isFinite(values[i]!)) return { ok: false, reason: 'non-finite', detail: `value ${i} of ${count} is ${values[i]}` };
    }
  }
  return { ok: true, values };
}

/** Answers of at least this many values are kept in shared memory (a 128×128 Gram and up). */
export const SHARED_ANSWER_VALUES = 1 << 14;

function sharedCopy(bytes: Uint8Array): Float64Array {
  const copy = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  copy.set(bytes);
  return new Float64Array(copy.buffer);
}

/**
 * The bytes' values in memory of their own: one memcpy. (Uint8Array.from iterated the bytes, 160 ms
 * on the loop for a 1000×1000 answer; a Buffer's slice() is a view on its pool, not a copy.)
 */
function alignedCopy(bytes: Uint8Array): Float64Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float64Array(copy.buffer);
}
