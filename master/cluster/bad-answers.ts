import type { Logger } from '../../shared/log';
import type { MasterMetrics } from '../metrics';
import type { BadAnswerReason, IgnoredAnswerReason } from './answer-check';

/**
 * A worker that sends this many bad answers in one job is dropped from the job: taken for lost
 * by the job's rounds (its slots move to the other workers) and given no more of its tasks. One
 * or two can be bad luck (a flipped bit past TCP's checksum, a worker restarting mid-answer);
 * three in one job is a worker that cannot be trusted with it. Other jobs still use it.
 */
export const BAD_ANSWERS_TO_DROP = 3;

/** What a round reports about the answers it refused or ignored (RoundRun's view of BadAnswers). */
export interface AnswerTally {
  /**
   * A refused answer of `worker` (the round has already moved the slot). It counts towards
   * dropping the worker at once, except a non-finite one: that may be the computation's own (a
   * diverging iterate), and counts only once another worker's finite answer disproves it.
   */
  bad(worker: number, reason: BadAnswerReason, detail: string): void;
  /** Another worker answered finite values where `worker`'s answer was non-finite: it counts now. */
  disproved(worker: number, detail: string): void;
  /** A message of `worker` that touched no round. */
  ignored(worker: number, reason: IgnoredAnswerReason, detail?: string): void;
  /** True once `worker` has been dropped from the job. */
  dropped(worker: number): boolean;
}

/**
 * One job's bad answers, and the workers it dropped: bad answers are counted per worker (coda_bad_answers_total{worker,reason}), logged once
 * per worker and reason (not once per answer: a hostile worker cannot flood the log), and a worker
 * past BAD_ANSWERS_TO_DROP is dropped from the job (its session's liveWorkers() leaves it out and
 * every round in flight is told, as of a lost worker). Bounded: a counter and a few log keys per
 * worker, whatever a worker sends.
 */
export class BadAnswers implements AnswerTally {
  private readonly counts = new Map<number, number>();
  private readonly logged = new Set<string>();
  private readonly out = new Set<number>();
  private readonly listeners = new Set<(worker: number) => void>();

  constructor(
    private readonly o: {
      jobId: string;
      metrics: MasterMetrics;
      log: Logger;
      /** Bad answers that drop a worker (default BAD_ANSWERS_TO_DROP). */
      limit?: number;
    },
  ) {}

  bad(worker: number, reason: BadAnswerReason, detail: string): void {
    this.o.metrics.badAnswers.inc({ worker: String(worker), reason });
    this.once(`${worker}:${reason}`, () => this.o.log.warn({ job: this.o.jobId, worker, reason, detail }, `refused a ${reason} answer from worker ${worker}; its slot runs elsewhere (further ${reason} answers from it are counted, not logged)`));
    if (reason !== 'non-finite') this.count(worker, `${reason}, ${detail}`);
  }

  disproved(worker: number, detail: string): void {
    this.count(worker, `non-finite, ${detail}`);
  }

  private count(worker: number, last: string): void {
    const n = (this.counts.get(worker) ?? 0) + 1;
    this.counts.set(worker, n);
    if (n >= (this.o.limit ?? BAD_ANSWERS_TO_DROP)) this.drop(worker, `${n} bad answers in this job (the last: ${last})`);
  }

  ignored(worker: number, reason: IgnoredAnswerReason, detail?: string): void {
    this.o.metrics.ignoredAnswers.inc({ worker: String(worker), reason });
    // A late answer is what a cancelled straggler sends when the cancellation crossed it: normal.
    if (reason === 'late' || reason === 'dropped') return;
    this.once(`${worker}:${reason}`, () => this.o.log.warn({ job: this.o.jobId, worker, reason, detail }, `ignored a message from worker ${worker} (${reason}); further ones are counted, not logged`));
  }

  dropped(worker: number): boolean {
    return this.out.has(worker);
  }

  /** The workers dropped so far. */
  droppedWorkers(): number[] {
    return [...this.out];
  }

  /** Calls `fn` with each worker dropped from now on, until the returned function is called. */
  onDrop(fn: (worker: number) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Drops `worker` from the job (too many bad answers, or its blocks could not be placed): its rounds take it for lost. */
  drop(worker: number, why: string): void {
    if (this.out.has(worker)) return;
    this.out.add(worker);
    this.o.metrics.workersDropped.inc();
    this.o.log.warn({ job: this.o.jobId, worker, why }, `worker ${worker} dropped from job ${this.o.jobId}: ${why}`);
    for (const fn of [...this.listeners]) fn(worker);
  }

  private once(key: string, log: () => void): void {
    if (this.logged.has(key)) return;
    this.logged.add(key);
    log();
  }
}
