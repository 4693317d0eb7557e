import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { ClusterError, fromStatus } from '../../shared/errors';
import type { Logger } from '../../shared/log';
import { tensorValues, type pb } from '../../shared/wire';
import type { MasterMetrics } from '../metrics';
import type { Placed } from './placed-plan';
import { RoundState, type Instruction } from '../../core/round/round-state';
import { payloadFields, payloadValues, slotEntry } from './task-request';
import { slotWorkOf, type SlotWork, type WorkMeasure } from './task-work';
import type { TaskStream } from './task-stream';
import type { Arrival, RoundOptions, RoundOutcome, Straggler, TaskPayload } from '../../algorithms/compute-cluster';

/** What the round dispatcher needs from the cluster around it. */
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
  /** What a task's work counts (chaos.delay.work): its flops (default) or the data it touches. */
  workMeasure?: WorkMeasure;
}

/**
 * Runs one round of a placed plan: the gRPC shell around RoundState (pure). Each worker gets ONE
 * message with all its slots (the shared payload once); answers come back per slot on the
 * worker's task stream and go to the state machine; its instructions (sends, relocations with
 * block placement, cancellations batched per worker) are carried out; one timer is armed at the
 * state's next deadline. Resolves once the decoder has enough.
 */
export function dispatchRound(
  ctx: DispatchContext,
  placed: Placed,
  payload: TaskPayload | ((slot: number) => TaskPayload),
  roundNo: number,
  options: RoundOptions = {},
): Promise<RoundOutcome> {
  const plan = placed.plan;
  const scheme = plan.scheme;
  const m = ctx.metrics;
  const perSlot = typeof payload === 'function' ? payload : undefined;
  const shared = perSlot ? undefined : (payload as TaskPayload);
  const first = shared ?? perSlot!(0);
  const kind = first.kind === 'message' ? first.name : first.kind;
  const sharedFields = shared ? payloadFields(shared) : undefined;
  const sharedBytes = shared ? 8 * payloadValues(shared) : 0;
  const round = String(roundNo);
  const jobId = placed.jobId;
  // Each slot's work this round (its task kind's flops over the reference's, or the rows measure).
  const works = new Map<number, SlotWork>();
  const workOf = (slot: number, p: TaskPayload): SlotWork => {
    let w = works.get(slot);
    if (!w) works.set(slot, (w = slotWorkOf(placed, slot, p, ctx.workMeasure ?? 'ops')));
    return w;
  };

  return new Promise<RoundOutcome>((resolve, reject) => {
    const now = (): number => performance.now();
    const t0 = now();
    let finished = false;
    let bytesSent = 0;
    let bytesReceived = 0;
    const arrivals: Arrival[] = [];
    const answered = new Set<number>();
    const sentAt = new Map<string, number>();
    const unlisten = new Map<number, () => void>();
    const state = new RoundState({
      hosts: placed.hosts,
      live: ctx.liveWorkers(),
      slotBlocks: placed.slotBlocks,
      holders: placed.holders,
      decoder: plan.decoder(),
      startedAt: t0,
      ...(plan.speculation ? { speculation: plan.speculation } : {}),
      ...(plan.roundTimeout !== undefined ? { timeoutSeconds: plan.roundTimeout } : {}),
      deadlineSeconds: placed.taskDeadlineSeconds ?? ctx.taskDeadlineSeconds,
    });

    let timer: NodeJS.Timeout | undefined;
    let armedAt: number | undefined;
    const stopLoss = ctx.onLoss((w) => run(state.lost(w, now())));
    const cleanup = (): void => {
      clearTimeout(timer);
      stopLoss();
      for (const u of unlisten.values()) u();
    };
    const fail = (e: unknown): void => {
      if (finished) return;
      finished = true;
      cleanup();
      reject(e);
    };

    const listener = (worker: number) => ({
      result(res: pb.TaskResult__Output): void {
        if (finished) return;
        let value: Float64Array;
        try {
          value = tensorValues(res.payload, `result of slot ${res.slot} from worker ${worker}`);
        } catch (e) {
          return fail(e);
        }
        const t = now();
        const sent = sentAt.get(`${res.slot}:${worker}`) ?? t0;
        m.taskDuration.observe({ worker: String(worker), kind, scheme }, (t - sent) / 1000);
        m.tasks.inc({ worker: String(worker), kind, scheme, outcome: 'answered' });
        bytesReceived += value.byteLength;
        arrivals.push({
          slot: res.slot,
          worker,
          seconds: (t - t0) / 1000,
          computeSeconds: res.timings?.computeSeconds ?? 0,
          injectedDelaySeconds: res.timings?.injectedDelaySeconds ?? 0,
          queueSeconds: res.timings?.queueSeconds ?? 0,
        });
        if (options.onAnswer && !answered.has(res.slot)) {
          answered.add(res.slot);
          try {
            options.onAnswer(res.slot, value);
          } catch (e) {
            return fail(e);
          }
        }
        run(state.arrived(res.slot, worker, value, t));
      },
      failure(f: pb.TaskFailure__Output): void {
        if (finished) return;
        m.tasks.inc({ worker: String(worker), kind, scheme, outcome: 'failed' });
        if (f.code === grpc.status.UNAVAILABLE) {
          // A draining worker takes no more tasks: it is gone for this job.
          ctx.log.warn({ worker, slot: f.slot, details: f.message }, 'task refused; moving its slot');
          run(state.failed(f.slot, worker, now()));
          ctx.markLost(worker, `refused a task: ${f.message}`);
          return;
        }
        // The error table: a refusal of the task's input is the job's bad input, anything else the cluster's.
        const prefix = fromStatus(f.code, '') instanceof ClusterError ? `worker ${worker} failed a ${kind} task` : `worker ${worker}`;
        fail(fromStatus(f.code, `${prefix}: ${f.message}`));
      },
    });

    /** Writes one round message per worker holding all its slots of this batch of sends. */
    const sendBatch = (worker: number, slots: number[]): void => {
      const stream = ctx.stream(worker);
      if (!stream?.open) {
        run(state.lost(worker, now()));
        return;
      }
      if (!unlisten.has(worker)) unlisten.set(worker, stream.listen(jobId, round, listener(worker)));
      const t = now();
      let bytes = sharedBytes;
      const entries = slots.map((slot) => {
        sentAt.set(`${slot}:${worker}`, t);
        if (!perSlot) return slotEntry(placed, slot, undefined, workOf(slot, shared!));
        const p = perSlot(slot);
        bytes += 8 * payloadValues(p);
        return slotEntry(placed, slot, payloadFields(p), workOf(slot, p));
      });
      bytesSent += bytes;
      m.bytesTask.inc({ direction: 'sent' }, bytes);
      stream.send({ jobId, round, ...(sharedFields ? { shared: sharedFields } : {}), slots: entries });
    };

    const run = (ins: Instruction[]): void => {
      const sends = new Map<number, number[]>();
      const cuts = new Map<number, number[]>();
      const push = (map: Map<number, number[]>, w: number, s: number): void => {
        const l = map.get(w);
        if (l) l.push(s);
        else map.set(w, [s]);
      };
      for (const i of ins) {
        if (finished) return;
        switch (i.type) {
          case 'send':
            if (i.backup) m.backups.inc({ scheme });
            if (!i.place) push(sends, i.worker, i.slot);
            else {
              // A relocated slot's new host needs its blocks first.
              const ids = placed.slotBlocks[i.slot]!;
              ctx.placeOn(placed, i.worker, ids).then(
                () => !finished && sendBatch(i.worker, [i.slot]),
                (e: Error) => {
                  ctx.log.warn({ worker: i.worker, slot: i.slot, err: e.message }, 'placing a relocated slot failed');
                  if (!finished) run(state.failed(i.slot, i.worker, now()));
                },
              );
            }
            break;
          case 'cancel':
            push(cuts, i.worker, i.slot);
            break;
          case 'decode':
            finish(cuts);
            return;
          case 'fail':
            flushCuts(cuts);
            fail(new ClusterError(`round ${roundNo} of ${jobId}: ${i.reason}`));
            return;
        }
      }
      flushCuts(cuts);
      for (const [w, slots] of sends) sendBatch(w, slots);
      arm();
    };

    /** One cancel message per worker; the worker ends those tasks itself. */
    const flushCuts = (cuts: Map<number, number[]>): void => {
      for (const [w, slots] of cuts) ctx.stream(w)?.cancel(jobId, round, slots);
    };

    const arm = (): void => {
      if (finished) return;
      const at = state.nextDeadline();
      if (at === armedAt) return;
      clearTimeout(timer);
      armedAt = at;
      if (at === undefined) return;
      timer = setTimeout(() => {
        armedAt = undefined;
        run(state.tick(now()));
      }, Math.max(0, at - now()));
    };

    const finish = (cuts: Map<number, number[]>): void => {
      finished = true;
      cleanup();
      flushCuts(cuts);
      const t = now();
      const stragglers: Straggler[] = [...state.losers, ...state.outstanding()].map((o) => ({ slot: o.slot, worker: o.worker, outstandingSeconds: (o.cutAt - o.sentAt) / 1000 }));
      for (const s of stragglers) {
        m.stragglers.inc({ worker: String(s.worker), scheme });
        m.tasks.inc({ worker: String(s.worker), kind, scheme, outcome: 'cancelled' });
      }
      placed.hosts = [...state.hosts];
      if (state.relocations > 0) m.slotsMoved.inc({ scheme }, state.relocations);
      let decoded;
      try {
        decoded = state.decode();
      } catch (e) {
        return reject(e);
      }
      const seconds = (t - t0) / 1000;
      m.rounds.inc({ scheme, ...ctx.labels });
      m.roundDuration.observe({ scheme }, seconds);
      const work = plan.slots.map((_, slot) => {
        const w = works.get(slot);
        return w ? (w.workPerIteration ?? w.work) : placed.work[slot]!;
      });
      resolve({ round: roundNo, decoded, seconds, arrivals, stragglers, backupsLaunched: state.backupsLaunched, slotsMoved: state.relocations, bytesSent, bytesReceived, work });
    };

    let initial = state.start();
    if (plan.shuffleSends) {
      // Exchangeable arrivals for first-q decoders: the workers' messages and the slots in each
      // go out in a fresh seeded order every round.
      const order = placed.roundRng(roundNo).permutation(initial.length);
      initial = Array.from(order, (k) => initial[k]!);
    }
    run(initial);
  });
}
