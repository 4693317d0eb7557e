import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { ClusterError, InputError } from '../../shared/errors';
import type { Logger } from '../../shared/log';
import { float64ToBytes } from '../../shared/tensor';
import { tensorValues, type TlsFiles, type pb } from '../../shared/wire';
import type { DelaySpec, FaultSpec } from '../../shared/chaos';
import type { MasterMetrics } from '../metrics';
import type { Plan } from '../schemes';
import { blocksPerWorker, materializeStoredBlocks } from './placement';
import type { WorkerRegistry } from './registry';
import { RoundState, type Instruction } from './round-state';
import type { Arrival, BlockData, ComputeCluster, PlaceOptions, PlacedPlan, RoundOutcome, Straggler, TaskPayload } from './types';
import { WorkerConnection, type OutgoingBlock } from './worker-client';

class Placed implements PlacedPlan {
  hosts: number[];
  taskDeadlineSeconds: number | undefined;
  bytesPlaced = 0;
  round = 0;
  /** stored block id -> workers holding it */
  readonly holders = new Map<number, Set<number>>();
  constructor(
    readonly jobId: string,
    readonly plan: Plan,
    readonly blocks: OutgoingBlock[],
  ) {
    this.hosts = plan.slots.map((s) => s.host);
  }
}

export interface ClusterOptions {
  token?: string;
  tls?: TlsFiles;
  /** Deadline of one task; a task past it is treated as lost and its slot moved. */
  taskDeadlineSeconds: number;
  metrics: MasterMetrics;
  log: Logger;
  /** Label for metrics. */
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
 * The master's view of its workers: connections, placement and the round dispatcher. The
 * round's logic lives in RoundState (pure); this class turns its instructions into calls.
 */
export class Cluster implements ComputeCluster {
  private readonly conns = new Map<number, WorkerConnection>();
  private readonly active = new Set<(worker: number) => void>();

  constructor(
    readonly registry: WorkerRegistry,
    private readonly opts: ClusterOptions,
  ) {
    registry.on('lost', (w, reason) => {
      opts.log.warn({ worker: w.index, reason }, 'worker lost');
      opts.metrics.workersLost.inc();
      opts.metrics.workersAlive.set(registry.alive().length);
      this.conns.get(w.index)?.close();
      this.conns.delete(w.index);
      for (const notify of this.active) notify(w.index);
    });
    registry.on('join', (w) => {
      this.conns.get(w.index)?.close();
      this.conns.set(w.index, new WorkerConnection(w.index, w.address, opts.token, opts.tls));
      opts.metrics.workersAlive.set(registry.alive().length);
    });
    for (const w of registry.alive()) this.conns.set(w.index, new WorkerConnection(w.index, w.address, opts.token, opts.tls));
  }

  /** Worker indices jobs may use; undefined means every live worker. */
  private subset: ReadonlySet<number> | undefined;

  /**
   * Restricts the next jobs to these worker indices (undefined: all again). An experiment runs its
   * smaller worker counts on a subset of one cluster instead of starting a cluster per count.
   */
  useWorkers(indices?: readonly number[]): void {
    this.subset = indices ? new Set(indices) : undefined;
  }

  liveWorkers(): number[] {
    const alive = this.registry.alive().map((w) => w.index);
    const subset = this.subset;
    return subset ? alive.filter((w) => subset.has(w)) : alive;
  }

  private conn(worker: number): WorkerConnection {
    const c = this.conns.get(worker);
    if (!c) throw new ClusterError(`worker ${worker} is not connected`);
    return c;
  }

  /** Sets every live worker's delay and faults; each worker gets its own seed. */
  async configureChaos(delay: DelaySpec, fault: FaultSpec, seed: number, only?: number[]): Promise<void> {
    await Promise.all(
      this.liveWorkers().map((w) => {
        const applies = !only || only.includes(w);
        return this.conn(w).configure(
          applies ? delay : { dist: 'none' },
          applies ? fault : { dropProbability: 0, hangProbability: 0, crashAfterTasks: 0 },
          seed * 7919 + w,
        );
      }),
    );
  }

  /**
   * Awaited before each round is sent, with the plan's round number: the hook a job's chaos
   * schedule uses to pause or kill a worker at an exact round.
   */
  beforeRound: ((round: number) => Promise<void>) | undefined;

  async place(jobId: string, plan: Plan, data: BlockData, options: PlaceOptions = {}): Promise<PlacedPlan> {
    const live = new Set(this.liveWorkers());
    if (live.size === 0) throw new ClusterError('no live workers to place blocks on');
    for (const s of plan.slots) {
      if (!live.has(s.host)) throw new ClusterError(`the plan puts a slot on worker ${s.host}, which is not alive (live: ${[...live].join(', ')})`);
    }
    const placed = new Placed(jobId, plan, materializeStoredBlocks(plan, data));
    placed.taskDeadlineSeconds = options.taskDeadlineSeconds;
    const need = blocksPerWorker(plan, placed.hosts);
    await Promise.all([...need].map(([w, ids]) => this.loadOn(placed, w, [...ids])));
    return placed;
  }

  private async loadOn(placed: Placed, worker: number, ids: number[]): Promise<void> {
    const missing = ids.filter((id) => !placed.holders.get(id)?.has(worker));
    if (missing.length === 0) return;
    const bytes = await this.conn(worker).loadBlocks(placed.jobId, missing.map((id) => placed.blocks[id]!));
    placed.bytesPlaced += bytes;
    this.opts.metrics.bytesPlaced.inc({ worker: String(worker) }, bytes);
    for (const id of missing) {
      let h = placed.holders.get(id);
      if (!h) placed.holders.set(id, (h = new Set()));
      h.add(worker);
    }
  }

  async release(placed: PlacedPlan): Promise<void> {
    await Promise.allSettled(this.liveWorkers().map((w) => this.conns.get(w)?.dropBlocks(placed.jobId)));
  }

  /** Picks a live worker for a slot: one that already holds its blocks, else the least loaded. */
  private async relocate(placed: Placed, slot: number, exclude: Set<number>): Promise<number> {
    const live = this.liveWorkers().filter((w) => !exclude.has(w));
    if (live.length === 0) throw new ClusterError(`slot ${slot}: no live worker left to run it`);
    const ids = placed.plan.slots[slot]!.blocks.map((b) => b.stored);
    const holdsAll = live.filter((w) => ids.every((id) => placed.holders.get(id)?.has(w)));
    const load = (w: number): number => placed.hosts.filter((h) => h === w).length;
    const pick = (holdsAll.length > 0 ? holdsAll : live).sort((a, b) => load(a) - load(b) || a - b)[0]!;
    await this.loadOn(placed, pick, ids);
    placed.hosts[slot] = pick;
    this.opts.metrics.slotsMoved.inc({ scheme: placed.plan.scheme });
    return pick;
  }

  private request(placed: Placed, slot: number, payload: TaskPayload): pb.TaskRequest {
    const s = placed.plan.slots[slot]!;
    const req: pb.TaskRequest = {
      jobId: placed.jobId,
      round: String(placed.round),
      slot,
      blocks: s.blocks.map((b) => ({ blockId: b.stored, weight: b.weight })),
    };
    const t = (v: Float64Array): pb.Tensor => ({ shape: [v.length], data: float64ToBytes(v) });
    switch (payload.kind) {
      case 'noop':
        return { ...req, noop: {} };
      case 'matvec':
        return { ...req, matvec: { x: t(payload.x) } };
      case 'mattvec':
        return { ...req, mattvec: { v: t(payload.v) } };
      case 'lsGradient':
        return {
          ...req,
          lsGradient: { x: payload.points ? { shape: [payload.points, payload.x.length / payload.points], data: float64ToBytes(payload.x) } : t(payload.x) },
        };
      case 'gram':
        return { ...req, gram: payload.d ? { d: t(payload.d) } : {} };
      case 'message':
        return { ...payload.fields, ...req };
    }
  }

  async round(placedPlan: PlacedPlan, payload: TaskPayload | ((slot: number) => TaskPayload)): Promise<RoundOutcome> {
    await this.beforeRound?.((placedPlan as Placed).round + 1);
    return this.dispatch(placedPlan as Placed, payload);
  }

  private dispatch(placed: Placed, payload: TaskPayload | ((slot: number) => TaskPayload)): Promise<RoundOutcome> {
    const plan = placed.plan;
    const scheme = plan.scheme;
    const m = this.opts.metrics;
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
          const conn = this.conns.get(worker);
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
              this.relocate(placed, i.slot, new Set([i.from]))
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
        let conn: WorkerConnection;
        try {
          conn = this.conn(worker);
        } catch {
          run(state.failed(slot, worker));
          return;
        }
        const req = this.request(placed, slot, payloadOf(slot));
        const sentAt = now();
        const pending = conn.runTask(req, placed.taskDeadlineSeconds ?? this.opts.taskDeadlineSeconds);
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
            if (err.code === grpc.status.UNAVAILABLE) this.registry.markLost(worker, `task failed: ${err.details}`);
            // A reset HTTP/2 session (many cancellations in a burst) is routine with hundreds of
            // slots a round: counted in coda_tasks_total{outcome="failed"}, logged at debug.
            const level = err.code === grpc.status.INTERNAL ? 'debug' : 'warn';
            this.opts.log[level]({ worker, slot, code: grpc.status[err.code], details: err.details }, 'task lost; moving its slot');
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
        this.active.delete(onLost);
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
        m.rounds.inc({ scheme, job: this.opts.jobName ?? 'job' });
        m.roundDuration.observe({ scheme }, seconds);
        resolve({ round: roundNo, decoded, seconds, arrivals, stragglers, backupsLaunched: state.backupsLaunched, slotsMoved });
      };

      this.active.add(onLost);
      // Slots whose host died between rounds move before the round starts.
      const live = new Set(this.liveWorkers());
      const initial = state.start();
      const toSend = initial.filter((i) => i.type !== 'send' || live.has(i.worker));
      for (const i of initial) if (i.type === 'send' && !live.has(i.worker)) toSend.push(...state.failed(i.slot, i.worker));
      const check = state.nextCheckSeconds();
      if (check !== undefined) timer = setInterval(() => run(state.tick(now())), check * 1000);
      for (const i of toSend) if (i.type === 'send') m.bytesTask.inc({ direction: 'sent' }, 8 * (payloadSize(payloadOf(i.slot))));
      run(toSend);
    });
  }

  close(): void {
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }
}

function payloadSize(p: TaskPayload): number {
  switch (p.kind) {
    case 'noop':
      return 0;
    case 'matvec':
    case 'lsGradient':
      return p.x.length;
    case 'mattvec':
      return p.v.length;
    case 'gram':
      return p.d?.length ?? 0;
    case 'message':
      return p.payloadValues ?? 0;
  }
}
