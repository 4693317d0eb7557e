import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { ClusterError, fromStatus } from '../../shared/errors';
import type { Logger } from '../../shared/log';
import { tensorValues, type pb } from '../../shared/wire';
import type { MasterMetrics } from '../metrics';
import type { Placed } from './placed-plan';
import { RoundState, type Instruction } from '../../core/round/round-state';
import { payloadFields, payloadKind, payloadValues, slotEntry } from './task-request';
import type { RoundListener, TaskStream } from './task-stream';
import type { Arrival, RoundOptions, RoundOutcome, Straggler, TaskPayload } from '../../algorithms/compute-cluster';

/** What a round in flight needs from the cluster around it. */
export interface DispatchContext {
  /** The open task stream of a live worker. */
  stream(worker: number): TaskStream | undefined;
  /** Places stored blocks on a worker (a slot relocated to a worker that lacks them). */
  placeOn(placed: Placed, worker: number, ids: number[]): Promise<void>;
  liveWorkers(): number[];
  /** Declares a worker lost (every round in flight then moves its slots). */
  markLost(worker: number, reason: string): void;
  /** Calls `fn` when a worker is lost, until the returned function is called. */
  onLoss(fn: (worker: number) => void): () => void;
  metrics: MasterMetrics;
  log: Logger;
  taskDeadlineSeconds: number;
  /** Metric labels of the job session running the round. */
  labels: { job_kind: string; job_id: string };
}

/** Sends and cancellations of one batch of instructions, gathered per worker. */
type PerWorker = Map<number, number[]>;

function push(map: PerWorker, worker: number, slot: number): void {
  const l = map.get(worker);
  if (l) l.push(slot);
  else map.set(worker, [slot]);
}

/**
 * One round of a placed plan in flight: the gRPC shell around RoundState (pure), as grpc-js makes
 * a call an object that owns its state and steps. Its steps:
 * - send: each worker gets ONE message with all its slots of a batch (the shared payload once);
 * - arrive: an answer comes back per slot on the worker's task stream, is validated, and goes to
 *   the state machine (a refusal, `refuse`, moves the slot or fails the round);
 * - decide: the state's instructions are carried out (sends, relocations with block placement,
 *   cancellations batched per worker, decode, fail), then one timer is armed at its next deadline;
 * - cancel: one cancel message per worker for the copies no longer needed;
 * - finish: decode, record stragglers and metrics, resolve.
 *
 *   const outcome = await new RoundRun(ctx, placed, payload, roundNo).run();
 */
export class RoundRun {
  private readonly state: RoundState;
  private readonly scheme: string;
  private readonly kind: string;
  private readonly perSlot: ((slot: number) => TaskPayload) | undefined;
  private readonly sharedFields: pb.TaskRequest | undefined;
  private readonly sharedBytes: number;
  private readonly round: string;
  private readonly t0 = performance.now();
  private finished = false;
  private bytesSent = 0;
  private bytesReceived = 0;
  private readonly arrivals: Arrival[] = [];
  /** Slots whose first answer went to options.onAnswer. */
  private readonly answered = new Set<number>();
  /** `${slot}:${worker}` -> when the task was sent (its latency's start). */
  private readonly sentAt = new Map<string, number>();
  /** Per worker: stops routing this round's answers to it. */
  private readonly unlisten = new Map<number, () => void>();
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
    this.kind = payloadKind(typeof payload === 'function' ? payload(0) : payload);
    this.sharedFields = shared ? payloadFields(shared) : undefined;
    this.sharedBytes = shared && this.sharedFields ? 8 * payloadValues(shared, this.sharedFields) : 0;
    this.round = String(roundNo);
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
      this.stopLoss = this.ctx.onLoss((w) => this.decide(this.state.lost(w, this.now())));
      let initial = this.state.start();
      if (this.placed.plan.shuffleSends) {
        // Exchangeable arrivals for first-q decoders: the workers' messages and the slots in each
        // go out in a fresh seeded order every round.
        const order = this.placed.roundRng(this.roundNo).permutation(initial.length);
        initial = Array.from(order, (k) => initial[k]!);
      }
      this.decide(initial);
    });
  }

  private now(): number {
    return performance.now();
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
        case 'fail':
          this.cancel(cuts);
          this.fail(new ClusterError(`round ${this.roundNo} of ${this.placed.jobId}: ${i.reason}`));
          return;
      }
    }
    this.cancel(cuts);
    for (const [w, slots] of sends) this.send(w, slots);
    this.arm();
  }

  /** A relocated slot's new host needs its blocks first; then the slot is sent there. */
  private relocate(slot: number, worker: number): void {
    this.ctx.placeOn(this.placed, worker, this.placed.slotBlocks[slot]!).then(
      () => !this.finished && this.send(worker, [slot]),
      (e: Error) => {
        this.ctx.log.warn({ worker, slot, err: e.message }, 'placing a relocated slot failed');
        if (!this.finished) this.decide(this.state.failed(slot, worker, this.now()));
      },
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
      this.sentAt.set(`${slot}:${worker}`, t);
      if (!this.perSlot) return slotEntry(this.placed, slot);
      const p = this.perSlot(slot);
      const fields = payloadFields(p);
      bytes += 8 * payloadValues(p, fields);
      return slotEntry(this.placed, slot, fields);
    });
    this.bytesSent += bytes;
    this.ctx.metrics.bytesTask.inc({ direction: 'sent' }, bytes);
    stream.send({ jobId: this.placed.jobId, round: this.round, ...(this.sharedFields ? { shared: this.sharedFields } : {}), slots: entries });
  }

  private listener(worker: number): RoundListener {
    return {
      result: (res) => this.arrive(worker, res),
      failure: (f) => this.refuse(worker, f),
    };
  }

  /** An answer arrived: validated, timed, counted, handed to the caller's onAnswer and the state machine. */
  private arrive(worker: number, res: pb.TaskResult__Output): void {
    if (this.finished) return;
    let value: Float64Array;
    try {
      value = this.validate(worker, res);
    } catch (e) {
      return this.fail(e);
    }
    const t = this.now();
    const sent = this.sentAt.get(`${res.slot}:${worker}`) ?? this.t0;
    const m = this.ctx.metrics;
    m.taskDuration.observe({ worker: String(worker), kind: this.kind, scheme: this.scheme }, (t - sent) / 1000);
    m.tasks.inc({ worker: String(worker), kind: this.kind, scheme: this.scheme, outcome: 'answered' });
    this.bytesReceived += value.byteLength;
    this.arrivals.push({
      slot: res.slot,
      worker,
      seconds: (t - this.t0) / 1000,
      computeSeconds: res.timings?.computeSeconds ?? 0,
      injectedDelaySeconds: res.timings?.injectedDelaySeconds ?? 0,
      queueSeconds: res.timings?.queueSeconds ?? 0,
      loopLagP99Seconds: res.timings?.loopLagP99Seconds ?? 0,
      loopLagMaxSeconds: res.timings?.loopLagMaxSeconds ?? 0,
    });
    if (this.options.onAnswer && !this.answered.has(res.slot)) {
      this.answered.add(res.slot);
      try {
        this.options.onAnswer(res.slot, value);
      } catch (e) {
        return this.fail(e);
      }
    }
    this.decide(this.state.arrived(res.slot, worker, value, t));
  }

  /**
   * What an answer must be before the round takes it; throws a typed error naming the worker and
   * slot. Today: a well-formed tensor. The place for issue 26's checks of the answer's kind,
   * length, shape and finite values against the task sent.
   */
  private validate(worker: number, res: pb.TaskResult__Output): Float64Array {
    return tensorValues(res.payload, `result of slot ${res.slot} from worker ${worker}`);
  }

  /** A worker refused or failed a task: a draining worker is lost for the job, any other failure ends the round. */
  private refuse(worker: number, f: pb.TaskFailure__Output): void {
    if (this.finished) return;
    this.ctx.metrics.tasks.inc({ worker: String(worker), kind: this.kind, scheme: this.scheme, outcome: 'failed' });
    if (f.code === grpc.status.UNAVAILABLE) {
      // A draining worker takes no more tasks: it is gone for this job.
      this.ctx.log.warn({ worker, slot: f.slot, details: f.message }, 'task refused; moving its slot');
      this.decide(this.state.failed(f.slot, worker, this.now()));
      this.ctx.markLost(worker, `refused a task: ${f.message}`);
      return;
    }
    // The error table: a refusal of the task's input is the job's bad input, anything else the cluster's.
    const prefix = fromStatus(f.code, '') instanceof ClusterError ? `worker ${worker} failed a ${this.kind} task` : `worker ${worker}`;
    this.fail(fromStatus(f.code, `${prefix}: ${f.message}`));
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
      this.decide(this.state.tick(this.now()));
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
    let decoded;
    try {
      decoded = this.state.decode();
    } catch (e) {
      return this.reject(e);
    }
    const seconds = (t - this.t0) / 1000;
    m.rounds.inc({ scheme, ...this.ctx.labels });
    m.roundDuration.observe({ scheme }, seconds);
    this.resolve({
      round: this.roundNo,
      decoded,
      seconds,
      arrivals: this.arrivals,
      stragglers,
      backupsLaunched: this.state.backupsLaunched,
      slotsMoved: this.state.relocations,
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
    });
  }

  private fail(e: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.cleanup();
    this.reject(e);
  }

  private cleanup(): void {
    clearTimeout(this.timer);
    this.stopLoss?.();
    for (const u of this.unlisten.values()) u();
  }
}
