import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { ClusterError, InputError } from '../../shared/errors';
import type { Logger } from '../../shared/log';
import { tensorValues } from '../../shared/wire';
import type { MasterMetrics } from '../metrics';
import type { Placed } from './placed-plan';
import { RoundState, type Instruction } from './round-state';
import { payloadValues, taskRequest } from './task-request';
import type { Arrival, RoundOutcome, Straggler, TaskPayload } from './types';
import type { WorkerConnection } from './worker-client';

/** What the round dispatcher needs from the cluster around it. */
export interface DispatchContext {
  connection(worker: number): WorkerConnection | undefined;
  /** Moves a slot to a live worker (not in `exclude`), placing its blocks there; resolves with it. */
  relocate(placed: Placed, slot: number, exclude: Set<number>): Promise<number>;
  liveWorkers(): number[];
  markLost(worker: number, reason: string): void;
  /** Listeners told when a worker is lost (a round in flight moves that worker's slots). */
  lossListeners: Set<(worker: number) => void>;
  metrics: MasterMetrics;
  log: Logger;
  taskDeadlineSeconds: number;
  jobName?: string;
}

/**
 * Failures of the call rather than of the task: the slot runs again elsewhere. A broken HTTP/2
 * session surfaces as INTERNAL with an RST_STREAM or session message (Node's HTTP/2 server can
 * reset a session that sees many cancellations in a burst); that is the transport too.
 */
function isTransportLoss(err: grpc.ServiceError): boolean {
  if (err.code === grpc.status.UNAVAILABLE || err.code === grpc.status.DEADLINE_EXCEEDED || err.code === grpc.status.CANCELLED) return true;
  return err.code === grpc.status.INTERNAL && /RST_STREAM|[Ss]ession|ECONNRESET|stream/.test(err.details ?? err.message);
}

/**
 * Runs one round of a placed plan: the gRPC shell around RoundState (pure). Sends every slot's
 * task, feeds answers and failures to the state machine, carries out its instructions (backups,
 * relocations, cancellations batched per worker into CancelTasks) and resolves once it decodes.
 */
export function dispatchRound(ctx: DispatchContext, placed: Placed, payload: TaskPayload | ((slot: number) => TaskPayload)): Promise<RoundOutcome> {
  const plan = placed.plan;
  const scheme = plan.scheme;
  const m = ctx.metrics;
  const payloadOf = typeof payload === 'function' ? payload : () => payload;
  const first = payloadOf(0);
  const kind = first.kind === 'message' ? first.name : first.kind;
  placed.round++;
  const roundNo = placed.round;

  return new Promise<RoundOutcome>((resolve, reject) => {
    const t0 = performance.now();
    const now = (): number => performance.now();
    let finished = false;
    let slotsMoved = 0;
    let bytesSent = 0;
    let bytesReceived = 0;
    const calls = new Map<string, { cancel(): void; sentAt: number }>();
    const arrivals: Arrival[] = [];
    const key = (slot: number, w: number): string => `${slot}:${w}`;
    const state = new RoundState(
      placed.hosts,
      plan.decoder(),
      t0,
      plan.speculation,
      plan.roundTimeout,
    );

    const fail = (e: unknown): void => {
      if (finished) return;
      finished = true;
      cleanup();
      for (const c of calls.values()) c.cancel();
      reject(e);
    };

    // Cancellations are batched per worker and sent as one CancelTasks after each batch of
    // instructions: the worker ends the calls itself (no HTTP/2 stream reset per straggler).
    const toCut = new Map<number, { slots: number[]; calls: { cancel(): void }[] }>();
    const cutOff = (worker: number, slot: number, c: { cancel(): void }): void => {
      let batch = toCut.get(worker);
      if (!batch) toCut.set(worker, (batch = { slots: [], calls: [] }));
      batch.slots.push(slot);
      batch.calls.push(c);
    };
    const flushCuts = (): void => {
      for (const [worker, batch] of toCut) {
        const conn = ctx.connection(worker);
        const fallback = (): void => batch.calls.forEach((c) => c.cancel());
        if (!conn) fallback();
        else conn.cancelTasks(placed.jobId, String(roundNo), batch.slots).catch(fallback);
      }
      toCut.clear();
    };

    const run = (ins: Instruction[]): void => {
      runInstructions(ins);
      flushCuts();
    };
    const runInstructions = (ins: Instruction[]): void => {
      for (const i of ins) {
        if (finished) return;
        switch (i.type) {
          case 'send':
            send(i.slot, i.worker, i.backup);
            break;
          case 'cancel': {
            const c = calls.get(key(i.slot, i.worker));
            calls.delete(key(i.slot, i.worker));
            if (c) cutOff(i.worker, i.slot, c);
            break;
          }
          case 'relocate':
            slotsMoved++;
            ctx.relocate(placed, i.slot, new Set([i.from]))
              .then((w) => {
                if (finished || state.done) return;
                state.resent(i.slot, w, now());
                send(i.slot, w, false);
              })
              .catch(fail);
            break;
          case 'decode':
            finish();
            break;
        }
      }
    };

    const send = (slot: number, worker: number, backup: boolean): void => {
      const conn = ctx.connection(worker);
      if (!conn) {
        // Lost between the decision and the send: the slot moves like any other loss.
        run(state.failed(slot, worker));
        return;
      }
      const p = payloadOf(slot);
      const req = taskRequest(placed, slot, p);
      const sentBytes = 8 * payloadValues(p);
      bytesSent += sentBytes;
      m.bytesTask.inc({ direction: 'sent' }, sentBytes);
      const sentAt = now();
      const pending = conn.runTask(req, placed.taskDeadlineSeconds ?? ctx.taskDeadlineSeconds);
      calls.set(key(slot, worker), { cancel: pending.cancel, sentAt });
      if (backup) m.backups.inc({ scheme });
      pending.promise.then(
        (res) => {
          calls.delete(key(slot, worker));
          if (finished) return;
          let value: Float64Array;
          try {
            value = tensorValues(res.payload, `result of slot ${slot} from worker ${worker}`);
          } catch (e) {
            return fail(e);
          }
          const t = now();
          m.taskDuration.observe({ worker: String(worker), kind, scheme }, (t - sentAt) / 1000);
          m.tasks.inc({ worker: String(worker), kind, scheme, outcome: 'answered' });
          m.bytesTask.inc({ direction: 'received' }, value.byteLength);
          bytesReceived += value.byteLength;
          arrivals.push({
            slot,
            worker,
            seconds: (t - t0) / 1000,
            computeSeconds: res.timings?.computeSeconds ?? 0,
            injectedDelaySeconds: res.timings?.injectedDelaySeconds ?? 0,
          });
          run(state.arrived(slot, worker, value, t));
        },
        (err: grpc.ServiceError) => {
          const wasOurs = !calls.has(key(slot, worker));
          calls.delete(key(slot, worker));
          if (finished || wasOurs) return;
          if (!isTransportLoss(err)) {
            m.tasks.inc({ worker: String(worker), kind, scheme, outcome: 'failed' });
            return fail(
              err.code === grpc.status.INVALID_ARGUMENT
                ? new InputError(`worker ${worker}: ${err.details}`)
                : new ClusterError(`worker ${worker} failed a ${kind} task: ${err.details ?? err.message}`),
            );
          }
          m.tasks.inc({ worker: String(worker), kind, scheme, outcome: 'failed' });
          if (err.code === grpc.status.UNAVAILABLE) ctx.markLost(worker, `task failed: ${err.details}`);
          // A reset HTTP/2 session (many cancellations in a burst) is routine with hundreds of
          // slots a round: counted in coda_tasks_total{outcome="failed"}, logged at debug.
          const level = err.code === grpc.status.INTERNAL ? 'debug' : 'warn';
          ctx.log[level]({ worker, slot, code: grpc.status[err.code], details: err.details }, 'task lost; moving its slot');
          run(state.failed(slot, worker));
        },
      );
    };

    let timer: NodeJS.Timeout | undefined;
    const onLost = (worker: number): void => {
      for (const [k, c] of [...calls]) {
        const [slot, w] = k.split(':').map(Number) as [number, number];
        if (w !== worker) continue;
        calls.delete(k);
        c.cancel();
        run(state.failed(slot, w));
      }
    };
    const cleanup = (): void => {
      clearInterval(timer);
      ctx.lossListeners.delete(onLost);
    };

    const finish = (): void => {
      if (finished) return;
      finished = true;
      cleanup();
      const t = now();
      const stragglers: Straggler[] = [
        ...state.losers.map((o) => ({ slot: o.slot, worker: o.worker, outstandingSeconds: (o.cutAt - o.sentAt) / 1000 })),
        ...state.outstanding().map((o) => ({ slot: o.slot, worker: o.worker, outstandingSeconds: (t - o.sentAt) / 1000 })),
      ];
      for (const s of stragglers) {
        m.stragglers.inc({ worker: String(s.worker), scheme });
        m.tasks.inc({ worker: String(s.worker), kind, scheme, outcome: 'cancelled' });
      }
      for (const [k, c] of calls) {
        const [slot, w] = k.split(':').map(Number) as [number, number];
        cutOff(w, slot, c);
      }
      calls.clear();
      flushCuts();
      let decoded;
      try {
        decoded = state.decode();
      } catch (e) {
        return reject(e);
      }
      const seconds = (t - t0) / 1000;
      m.rounds.inc({ scheme, job_kind: ctx.jobName ?? 'job' });
      m.roundDuration.observe({ scheme }, seconds);
      resolve({ round: roundNo, decoded, seconds, arrivals, stragglers, backupsLaunched: state.backupsLaunched, slotsMoved, bytesSent, bytesReceived });
    };

    ctx.lossListeners.add(onLost);
    // Slots whose host died between rounds move before the round starts.
    const live = new Set(ctx.liveWorkers());
    let initial = state.start();
    if (plan.shuffleSends) {
      const order = placed.rng.permutation(initial.length);
      initial = Array.from(order, (k) => initial[k]!);
    }
    const toSend = initial.filter((i) => i.type !== 'send' || live.has(i.worker));
    for (const i of initial) if (i.type === 'send' && !live.has(i.worker)) toSend.push(...state.failed(i.slot, i.worker));
    const check = state.nextCheckSeconds();
    if (check !== undefined) timer = setInterval(() => run(state.tick(now())), check * 1000);
    run(toSend);
  });
}
