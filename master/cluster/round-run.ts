import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { ClusterError, CodaError, fromStatus, messageOf } from '../../shared/errors';
import type { Logger } from '../../shared/log';
import type { pb } from '../../shared/wire';
import type { MasterMetrics, WorkerCounts } from '../metrics';
import type { Placed } from './placed-plan';
import { RoundState, type Instruction } from '../../core/round/round-state';
import { payloadFields, payloadKind, payloadValues, slotEntry } from './task-request';
import { slotWorkOf, type SlotWork, type WorkMeasure } from './task-work';
import type { RoundListener } from './task-stream';
import { checkAnswer, type BadAnswerReason } from './answer-check';
import { expectedAnswer, type AnswerSpec } from './task-kinds';
import type { AnswerTally } from './bad-answers';
import type { Arrival, KindName, RoundOptions, RoundOutcome, Straggler, TaskPayload } from '../../algorithms/compute-cluster';
import type { Decoded, WeightedSum } from '../../core/schemes';

/** What a round uses of a worker's task stream (TaskStream; a fake in unit tests). */
export interface RoundStream {
  readonly open: boolean;
  /** Routes answers of (jobId, round) to `listener` until the returned function is called. */
  listen(jobId: string, round: string, listener: RoundListener): () => void;
  send(round: pb.RoundTasks): void;
  cancel(jobId: string, round: string, slots: number[]): void;
}

/** What a round in flight needs from the cluster around it. */
export interface DispatchContext {
  /** The open task stream of a live worker. */
  stream(worker: number): RoundStream | undefined;
  /** Places stored blocks on a worker (a slot relocated to a worker that lacks them). */
  placeOn(placed: Placed, worker: number, ids: number[]): Promise<void>;
  liveWorkers(): number[];
  /** Declares a worker lost (every round in flight then moves its slots). */
  markLost(worker: number, reason: string): void;
  /** Calls `fn` when a worker is lost (or dropped from the job), until the returned function is called. */
  onLoss(fn: (worker: number) => void): () => void;
  /** The job's tally of refused and ignored answers (it drops a worker that sends too many bad ones). */
  answers: AnswerTally;
  metrics: MasterMetrics;
  log: Logger;
  taskDeadlineSeconds: number;
  /** Metric labels of the job session running the round. */
  labels: { job_kind: string; job_id: string };
  /** What a task's work counts (chaos.delay.work): its flops (ops) or the data it touches (rows). */
  workMeasure: WorkMeasure;
  /** Computes a long decode's weighted sum off the event loop (the master's compute thread); absent: inline. */
  sumOffLoop?: (ws: WeightedSum) => Promise<Decoded>;
}

/** A decode summing at least this many products goes to `sumOffLoop` (about 2–4 ms of loop time inline). */
export const OFF_LOOP_SUM = 1 << 21;

/** Sends and cancellations of one batch of instructions, gathered per worker. */
type PerWorker = Map<number, number[]>;

function push(map: PerWorker, worker: number, slot: number): void {
  const l = map.get(worker);
  if (l) l.push(slot);
  else map.set(worker, [slot]);
}

/**
 * The key of a (slot, worker) pair in a round's maps: one number, not a `${slot}:${worker}`
 * string built (and hashed) four times a task. Worker indices are below 2^32; a slot that would
 * not fit below 2^53 (2^21 slots) is none a plan has, so its key can match no key of a sent slot.
 */
function pairKey(slot: number, worker: number): number {
  return slot * 0x1_0000_0000 + worker;
}

/** A time a worker reports, for the record only: anything but a finite non-negative number counts as 0. */
function reportedSeconds(v: number | undefined): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0;
}

/**
 * One round of a placed plan in flight: the gRPC shell around RoundState (pure), as grpc-js makes
 * a call an object that owns its state and steps. Its steps:
 * - send: each worker gets ONE message with all its slots of a batch (the shared payload once);
 *   what each slot's answer must be is noted then (task-kinds.ts);
 * - arrive: an answer comes back per slot on the worker's task stream and is validated: one for a
 *   slot the round never sent that worker, or beyond the copies sent, is ignored; a malformed,
 *   mis-sized or non-finite one is refused (`bad`: the slot fails on that worker and moves, the
 *   job's tally may drop the worker); a good one goes to the state machine (a refusal by the
 *   worker, `refuse`, moves the slot or fails the round);
 * - decide: the state's instructions are carried out (sends, relocations with block placement,
 *   cancellations batched per worker, decode, fail), then one timer is armed at its next deadline;
 * - cancel: one cancel message per worker for the copies no longer needed;
 * - finish: decode, record stragglers and metrics, resolve.
 * Every way in from outside (a stream's data handler, the timer, a loss, a placement settling) is
 * guarded: whatever throws there (a decoder, the caller's payload or onAnswer) fails the round
 * with a typed error (a CodaError as it is, anything else as a ClusterError) and never reaches
 * grpc-js or the event loop.
 *
 *   const outcome = await new RoundRun(ctx, placed, payload, roundNo).run();
 */
export class RoundRun {
  private readonly state: RoundState;
  private readonly scheme: string;
  private readonly kind: KindName;
  private readonly perSlot: ((slot: number) => TaskPayload) | undefined;
  private readonly shared: TaskPayload | undefined;
  private readonly sharedFields: pb.TaskRequest | undefined;
  private readonly sharedBytes: number;
  private readonly round: string;
  private readonly t0 = performance.now();
  /** No event is taken any more (decided, failed). */
  private finished = false;
  /** The promise is resolved or rejected. */
  private settled = false;
  private bytesSent = 0;
  private bytesReceived = 0;
  private readonly arrivals: Arrival[] = [];
  /** Slots whose first answer went to options.onAnswer. */
  private readonly answered = new Set<number>();
  /** pairKey(slot, worker) -> when the task was last sent there (its latency's start). */
  private readonly sentAt = new Map<number, number>();
  /** pairKey(slot, worker) -> copies sent there, and answers (results or failures) taken from there. */
  private readonly copies = new Map<number, number>();
  private readonly replies = new Map<number, number>();
  /** What each slot's answer must be (noted when it is sent). */
  private readonly expected = new Map<number, AnswerSpec>();
  /** Each slot's work this round (its task's flops over the reference task's, or the rows measure), computed at its first send. */
  private readonly works = new Map<number, SlotWork>();
  /**
   * Slot -> the worker whose non-finite answer for it was refused: another worker's non-finite
   * answer confirms it (the computation's own), a finite one disproves it (the worker's fault).
   */
  private readonly nonFinite = new Map<number, number>();
  /**
   * Slot -> the first failure report for it (its worker and the error it names): a second worker's
   * report for the same slot confirms it (the task's own failure, which fails the round).
   */
  private readonly reportedFailures = new Map<number, { worker: number; error: Error }>();
  /** Per worker: stops routing this round's answers to it. */
  private readonly unlisten = new Map<number, () => void>();
  /** coda_tasks_total{outcome="answered"} of this round's kind and scheme, counted in place (MasterMetrics.taskCounts). */
  private readonly answeredCounts: WorkerCounts;
  private timer: NodeJS.Timeout | undefined;
  private armedAt: number | undefined;
  private stopLoss: (() => void) | undefined;
  private resolve!: (o: RoundOutcome) => void;
  private reject!: (e: unknown) => void;

  constructor(
    private readonly ctx: DispatchContext,
    private readonly placed: Placed,
    payload: TaskPayload | ((slot: number) => TaskPayload),
    private readonly roundNo: number,
    private readonly options: RoundOptions = {},
  ) {
    const plan = placed.plan;
    this.scheme = plan.scheme;
    this.perSlot = typeof payload === 'function' ? payload : undefined;
    const shared = typeof payload === 'function' ? undefined : payload;
    this.shared = shared;
    this.kind = payloadKind(typeof payload === 'function' ? payload(0) : payload);
    this.sharedFields = shared ? payloadFields(shared) : undefined;
    this.sharedBytes = shared && this.sharedFields ? 8 * payloadValues(shared, this.sharedFields) : 0;
    this.round = String(roundNo);
    this.answeredCounts = ctx.metrics.taskCounts(this.kind, this.scheme, 'answered');
    this.state = new RoundState({
      hosts: placed.hosts,
      live: ctx.liveWorkers(),
      slotBlocks: placed.slotBlocks,
      holders: placed.holders,
      decoder: plan.decoder(),
      startedAt: this.t0,
      ...(plan.speculation ? { speculation: plan.speculation } : {}),
      ...(plan.roundTimeout !== undefined ? { timeoutSeconds: plan.roundTimeout } : {}),
      deadlineSeconds: options.deadlineSeconds ?? placed.taskDeadlineSeconds ?? ctx.taskDeadlineSeconds,
    });
  }

  /** Sends the round and resolves once the decoder has enough (or rejects when it never will). */
  run(): Promise<RoundOutcome> {
    return new Promise<RoundOutcome>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      this.guard('sending the round', () => {
        this.stopLoss = this.ctx.onLoss((w) => this.guard(`the loss of worker ${w}`, () => this.lose(w)));
        let initial = this.state.start();
        if (this.placed.plan.shuffleSends) {
          // Exchangeable arrivals for first-q decoders: the workers' messages and the slots in each
          // go out in a fresh seeded order every round.
          const order = this.placed.roundRng(this.roundNo).permutation(initial.length);
          initial = Array.from(order, (k) => initial[k]!);
        }
        this.decide(initial);
      });
    });
  }

  private now(): number {
    return performance.now();
  }

  /**
   * Runs one event from outside the round (a stream's data handler, the timer, a loss, a
   * placement settling): whatever it throws fails the round with a typed error instead of
   * escaping into grpc-js or the event loop.
   */
  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.fail(this.typed(e, what));
    }
  }

  /** A CodaError keeps its class (and exit code); anything else is the cluster's failure, named. */
  private typed(e: unknown, what: string): CodaError {
    if (e instanceof CodaError) return e;
    return new ClusterError(`round ${this.roundNo} of ${this.placed.jobId}: ${what} failed: ${messageOf(e)}`, { cause: e });
  }

  /** A worker lost (or dropped from the job): its open slots move; its answers are no longer heard. */
  private lose(worker: number): void {
    if (this.ctx.answers.dropped(worker)) {
      this.unlisten.get(worker)?.();
      this.unlisten.delete(worker);
    }
    this.decide(this.state.lost(worker, this.now()));
  }

  /** Carries out the state machine's instructions, then arms the timer at its next deadline. */
  private decide(instructions: Instruction[]): void {
    const sends: PerWorker = new Map();
    const cuts: PerWorker = new Map();
    for (const i of instructions) {
      if (this.finished) return;
      switch (i.type) {
        case 'send':
          if (i.backup) this.ctx.metrics.backups.inc({ scheme: this.scheme });
          if (i.place) this.relocate(i.slot, i.worker);
          else push(sends, i.worker, i.slot);
          break;
        case 'cancel':
          push(cuts, i.worker, i.slot);
          break;
        case 'decode':
          this.finish(cuts);
          return;
        case 'fail': {
          this.cancel(cuts);
          // Out of workers for a slot a worker reported failed: its report is the reason.
          const reported = [...this.reportedFailures.values()][0];
          this.fail(reported ? reported.error : new ClusterError(`round ${this.roundNo} of ${this.placed.jobId}: ${i.reason}`));
          return;
        }
      }
    }
    this.cancel(cuts);
    for (const [w, slots] of sends) this.send(w, slots);
    this.arm();
  }

  /** A relocated slot's new host needs its blocks first; then the slot is sent there. */
  private relocate(slot: number, worker: number): void {
    this.ctx.placeOn(this.placed, worker, this.placed.slotBlocks[slot]!).then(
      () => this.guard(`sending relocated slot ${slot}`, () => !this.finished && this.send(worker, [slot])),
      (e: unknown) =>
        this.guard(`relocating slot ${slot}`, () => {
          this.ctx.log.warn({ worker, slot, err: messageOf(e) }, 'placing a relocated slot failed');
          if (!this.finished) this.decide(this.state.failed(slot, worker, this.now()));
        }),
    );
  }

  /** Writes one round message to `worker` holding all its slots of this batch of sends. */
  private send(worker: number, slots: number[]): void {
    const stream = this.ctx.stream(worker);
    if (!stream?.open) {
      this.decide(this.state.lost(worker, this.now()));
      return;
    }
    if (!this.unlisten.has(worker)) this.unlisten.set(worker, stream.listen(this.placed.jobId, this.round, this.listener(worker)));
    const t = this.now();
    let bytes = this.sharedBytes;
    const entries = slots.map((slot) => {
      const key = pairKey(slot, worker);
      this.sentAt.set(key, t);
      this.copies.set(key, (this.copies.get(key) ?? 0) + 1);
      if (!this.perSlot) {
        this.expect(slot, this.kind, this.sharedFields!);
        return slotEntry(this.placed, slot, undefined, this.workOf(slot, this.shared!));
      }
      const p = this.perSlot(slot);
      const fields = payloadFields(p);
      this.expect(slot, payloadKind(p), fields);
      bytes += 8 * payloadValues(p, fields);
      return slotEntry(this.placed, slot, fields, this.workOf(slot, p));
    });
    this.bytesSent += bytes;
    this.ctx.metrics.addSentBytes(bytes);
    stream.send({ jobId: this.placed.jobId, round: this.round, ...(this.sharedFields ? { shared: this.sharedFields } : {}), slots: entries });
  }

  /** `slot`'s work in this round (the same for every copy of it). */
  private workOf(slot: number, p: TaskPayload): SlotWork {
    let w = this.works.get(slot);
    if (!w) this.works.set(slot, (w = slotWorkOf(this.placed, slot, p, this.ctx.workMeasure)));
    return w;
  }

  /** Notes what `slot`'s answer must be: its kind's answer over the slot's stored blocks. */
  private expect(slot: number, kind: KindName, fields: pb.TaskRequest): void {
    const blocks = this.placed.slotBlocks[slot]!.map((id) => this.placed.blocks[id]!);
    this.expected.set(slot, expectedAnswer(kind, fields, blocks));
  }

  private listener(worker: number): RoundListener {
    return {
      result: (res) => this.guard(`the answer of worker ${worker}`, () => this.arrive(worker, res)),
      failure: (f) => this.guard(`the failure report of worker ${worker}`, () => this.refuse(worker, f)),
    };
  }

  /**
   * Whether a reply of `worker` for `slot` may touch the round: only for a slot sent to that
   * worker, at most once per copy sent, and not from a worker dropped from the job. Counts it.
   */
  private admit(worker: number, slot: number): boolean {
    if (this.ctx.answers.dropped(worker)) {
      this.ctx.answers.ignored(worker, 'dropped');
      return false;
    }
    const key = pairKey(slot, worker);
    const sent = this.copies.get(key) ?? 0;
    if (sent === 0) {
      this.ctx.answers.ignored(worker, 'unknown-slot', `slot ${slot} of round ${this.roundNo} was not sent to it`);
      return false;
    }
    const replies = (this.replies.get(key) ?? 0) + 1;
    if (replies > sent) {
      this.ctx.answers.ignored(worker, 'duplicate', `a further answer for slot ${slot} of round ${this.roundNo}`);
      return false;
    }
    this.replies.set(key, replies);
    return true;
  }

  /** An answer arrived: admitted, validated, timed, counted, handed to the caller's onAnswer and the state machine. */
  private arrive(worker: number, res: pb.TaskResult__Output): void {
    if (this.finished || !this.admit(worker, res.slot)) return;
    const value = this.validate(worker, res);
    if (!value) return;
    const t = this.now();
    const sent = this.sentAt.get(pairKey(res.slot, worker)) ?? this.t0;
    const m = this.ctx.metrics;
    m.taskDuration.observe({ worker: String(worker), kind: this.kind, scheme: this.scheme }, (t - sent) / 1000);
    this.answeredCounts.add(worker);
    this.bytesReceived += value.byteLength;
    const timings = res.timings;
    this.arrivals.push({
      slot: res.slot,
      worker,
      seconds: (t - this.t0) / 1000,
      computeSeconds: reportedSeconds(timings?.computeSeconds),
      injectedDelaySeconds: reportedSeconds(timings?.injectedDelaySeconds),
      queueSeconds: reportedSeconds(timings?.queueSeconds),
      loopLagP99Seconds: reportedSeconds(timings?.loopLagP99Seconds),
      loopLagMaxSeconds: reportedSeconds(timings?.loopLagMaxSeconds),
    });
    if (this.options.onAnswer && !this.answered.has(res.slot)) {
      this.answered.add(res.slot);
      this.options.onAnswer(res.slot, value);
      if (this.finished) return;
    }
    // Another worker ran a slot one reported failed: that report no longer says why the round might fail.
    this.reportedFailures.delete(res.slot);
    this.decide(this.state.arrived(res.slot, worker, value, t));
  }

  /**
   * The answer's values when it is what its task's answer must be (kind, length, shape, finite
   * values where the kind needs them: task-kinds.ts); otherwise the answer is refused (`bad`) and
   * undefined returned. A non-finite answer that a second worker gives for the same slot is the
   * computation's own (a diverging iterate): it is taken, so the algorithm's divergence checks
   * see it, and the first one never counts against its worker; a finite answer from another
   * worker disproves the first, which then counts.
   */
  private validate(worker: number, res: pb.TaskResult__Output): Float64Array | undefined {
    const spec = this.expected.get(res.slot)!;
    const check = checkAnswer(res, spec);
    const suspect = this.nonFinite.get(res.slot);
    if (check.ok) {
      if (suspect !== undefined && suspect !== worker) {
        this.nonFinite.delete(res.slot);
        this.ctx.answers.disproved(suspect, `slot ${res.slot} of round ${this.roundNo}: worker ${worker} answered it with finite values`);
      }
      return check.values;
    }
    if (check.reason === 'non-finite') {
      if (suspect !== undefined && suspect !== worker) {
        this.nonFinite.delete(res.slot);
        this.ctx.log.warn({ job: this.placed.jobId, round: this.roundNo, slot: res.slot, workers: [suspect, worker] }, "two workers gave the same slot a non-finite answer: taken as the computation's own");
        const again = checkAnswer(res, { ...spec, finite: false });
        return again.ok ? again.values : undefined;
      }
      this.nonFinite.set(res.slot, worker);
    }
    this.bad(worker, res.slot, check.reason, check.detail);
    return undefined;
  }

  /** A refused answer: the slot failed on that worker (it moves), and the job's tally hears of it. */
  private bad(worker: number, slot: number, reason: BadAnswerReason, detail: string): void {
    this.ctx.metrics.tasks.inc({ worker: String(worker), kind: this.kind, scheme: this.scheme, outcome: 'failed' });
    this.decide(this.state.failed(slot, worker, this.now()));
    // May drop the worker from the job: then every round in flight (this one too) loses it.
    this.ctx.answers.bad(worker, reason, `slot ${slot} of round ${this.roundNo}: ${detail}`);
  }

  /**
   * A worker refused or failed a task. A draining worker is lost for the job. Any other failure is
   * the job's only once a second worker confirms it (its class from the error table: a refusal of
   * the task's input is the job's bad input, anything else the cluster's): a worker's one report
   * moves the slot to another worker and counts as a bad answer of its own, so a faulty or hostile
   * worker cannot fail a job by saying so, and a task that fails everywhere still fails the round,
   * with the first worker's message. With nowhere else to run the slot, the report stands.
   */
  private refuse(worker: number, f: pb.TaskFailure__Output): void {
    if (this.finished || !this.admit(worker, f.slot)) return;
    this.ctx.metrics.tasks.inc({ worker: String(worker), kind: this.kind, scheme: this.scheme, outcome: 'failed' });
    if (f.code === grpc.status.UNAVAILABLE) {
      // A draining worker takes no more tasks: it is gone for this job.
      this.ctx.log.warn({ worker, slot: f.slot, details: f.message }, 'task refused; moving its slot');
      this.decide(this.state.failed(f.slot, worker, this.now()));
      this.ctx.markLost(worker, `refused a task: ${f.message}`);
      return;
    }
    const prefix = fromStatus(f.code, '') instanceof ClusterError ? `worker ${worker} failed a ${this.kind} task` : `worker ${worker}`;
    const error = fromStatus(f.code, `${prefix}: ${f.message}`);
    const first = this.reportedFailures.get(f.slot);
    if (first && first.worker !== worker) return this.fail(first.error);
    if (!first) this.reportedFailures.set(f.slot, { worker, error });
    const next = this.state.failed(f.slot, worker, this.now());
    this.ctx.log.warn({ worker, slot: f.slot, details: f.message }, 'task failed on one worker; running its slot on another');
    this.decide(next);
    this.ctx.answers.bad(worker, 'failed', `slot ${f.slot} of round ${this.roundNo}: ${f.message}`);
  }

  /** One cancel message per worker; the worker ends those tasks itself. */
  private cancel(cuts: PerWorker): void {
    for (const [w, slots] of cuts) this.ctx.stream(w)?.cancel(this.placed.jobId, this.round, slots);
  }

  /** One timer, at the state's next deadline (a task's, the speculation threshold, the round timeout). */
  private arm(): void {
    if (this.finished) return;
    const at = this.state.nextDeadline();
    if (at === this.armedAt) return;
    clearTimeout(this.timer);
    this.armedAt = at;
    if (at === undefined) return;
    this.timer = setTimeout(() => {
      this.armedAt = undefined;
      this.guard('a deadline', () => this.decide(this.state.tick(this.now())));
    }, Math.max(0, at - this.now()));
  }

  /** Enough has arrived: cut the stragglers off, adopt the round's hosts, decode, resolve. */
  private finish(cuts: PerWorker): void {
    this.finished = true;
    this.cleanup();
    this.cancel(cuts);
    const t = this.now();
    const m = this.ctx.metrics;
    const scheme = this.scheme;
    const stragglers: Straggler[] = [...this.state.losers, ...this.state.outstanding()].map((o) => ({ slot: o.slot, worker: o.worker, outstandingSeconds: (o.cutAt - o.sentAt) / 1000 }));
    for (const s of stragglers) {
      m.stragglers.inc({ worker: String(s.worker), scheme });
      m.tasks.inc({ worker: String(s.worker), kind: this.kind, scheme, outcome: 'cancelled' });
    }
    this.placed.hosts = [...this.state.hosts];
    if (this.state.relocations > 0) m.slotsMoved.inc({ scheme }, this.state.relocations);
    let decoded: Decoded | Promise<Decoded>;
    try {
      const ws = this.ctx.sumOffLoop ? this.state.weightedSum() : undefined;
      decoded = ws && ws.terms.length * ws.length >= OFF_LOOP_SUM ? this.ctx.sumOffLoop!(ws) : this.state.decode();
    } catch (e) {
      return this.settle(this.typed(e, `decoding (scheme ${scheme})`));
    }
    if (decoded instanceof Promise) {
      decoded.then(
        (d) => this.resolveDecoded(t, stragglers, d),
        (e: unknown) => this.settle(this.typed(e, `decoding (scheme ${scheme})`)),
      );
    } else this.resolveDecoded(t, stragglers, decoded);
  }

  /** The round's outcome, decoded. */
  private resolveDecoded(t: number, stragglers: Straggler[], decoded: Decoded): void {
    const m = this.ctx.metrics;
    const scheme = this.scheme;
    const seconds = (t - this.t0) / 1000;
    m.rounds.inc({ scheme, ...this.ctx.labels });
    m.roundDuration.observe({ scheme }, seconds);
    this.settle(undefined, {
      round: this.roundNo,
      decoded,
      seconds,
      arrivals: this.arrivals,
      stragglers,
      backupsLaunched: this.state.backupsLaunched,
      slotsMoved: this.state.relocations,
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
      work: this.placed.plan.slots.map((_, slot) => {
        const w = this.works.get(slot);
        return w ? (w.workPerIteration ?? w.work) : this.placed.work[slot]!;
      }),
    });
  }

  private fail(e: unknown): void {
    if (this.settled) return;
    this.finished = true;
    this.cleanup();
    this.settle(e);
  }

  private settle(e: unknown, outcome?: RoundOutcome): void {
    if (this.settled) return;
    this.settled = true;
    if (outcome) this.resolve(outcome);
    else this.reject(e);
  }

  private cleanup(): void {
    clearTimeout(this.timer);
    this.stopLoss?.();
    for (const u of this.unlisten.values()) u();
  }
}
