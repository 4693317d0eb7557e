import { ClusterError } from '../../shared/errors';
import type { Logger } from '../../shared/log';
import type { TlsFiles } from '../../shared/wire';
import type { DelaySpec, FaultSpec } from '../../shared/chaos';
import type { MasterMetrics } from '../metrics';
import type { Plan } from '../schemes';
import { Placed } from './placed-plan';
import { blocksPerWorker, materializeStoredBlocks } from './placement';
import type { WorkerRegistry } from './registry';
import { dispatchRound, type DispatchContext } from './round-dispatcher';
import type { BlockData, ComputeCluster, PlaceOptions, PlacedPlan, RoundOutcome, TaskPayload } from './types';
import { WorkerConnection } from './worker-client';

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
 * The master's view of its workers: connections, chaos configuration, placement and slot
 * relocation. A round runs in round-dispatcher.ts (the gRPC shell) around RoundState (pure).
 */
export class Cluster implements ComputeCluster {
  private readonly conns = new Map<number, WorkerConnection>();
  private readonly active = new Set<(worker: number) => void>();
  private readonly dispatchContext: DispatchContext;

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
    this.dispatchContext = {
      connection: (w) => this.conns.get(w),
      relocate: (placed, slot, exclude) => this.relocate(placed, slot, exclude),
      liveWorkers: () => this.liveWorkers(),
      markLost: (w, reason) => this.registry.markLost(w, reason),
      lossListeners: this.active,
      metrics: opts.metrics,
      log: opts.log,
      taskDeadlineSeconds: opts.taskDeadlineSeconds,
      ...(opts.jobName ? { jobName: opts.jobName } : {}),
    };
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

  async round(placedPlan: PlacedPlan, payload: TaskPayload | ((slot: number) => TaskPayload)): Promise<RoundOutcome> {
    await this.beforeRound?.((placedPlan as Placed).round + 1);
    return dispatchRound(this.dispatchContext, placedPlan as Placed, payload);
  }


  close(): void {
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }
}

