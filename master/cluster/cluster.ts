import { ClusterError, messageOf } from '../../shared/errors';
import type { Logger } from '../../shared/log';
import type { AsyncLinalg } from '../../shared/linalg';
import type { TlsFiles } from '../../shared/wire';
import type { DelaySpec } from '../../shared/chaos';
import { JobSeriesRetention, type MasterMetrics } from '../metrics';
import type { Plan } from '../../core/schemes';
import { ShardedStore, type ParameterStore } from '../store';
import { JobQueue } from './job-queue';
import { MasterLinalg } from './master-linalg';
import type { MasterCompute } from '../compute';
import { JobSession, type JobSessionSpec } from './job-session';
import type { RoundJob, SessionHost, WorkerChaos } from './session-host';
import { Placed, slotWork } from './placed-plan';
import { leastSquaresReference } from '../../core/runtime';
import { blocksPerWorker, isPlainStored, materializeStoredBlock, materializeStoredBlocks, type OutgoingBlock } from '../../core/schemes/placement';
import type { WorkerRegistry } from './registry';
import { RoundRun } from './round-run';
import { TaskStream } from './task-stream';
import type { BlockData, PlaceOptions, RoundOptions, RoundOutcome, TaskPayload } from '../../algorithms/compute-cluster';
import { WorkerConnection } from './worker-client';

export interface ClusterOptions {
  token?: string;
  tls?: TlsFiles;
  /** Deadline of one task; a task past it is treated as lost and its slot moved. */
  taskDeadlineSeconds: number;
  metrics: MasterMetrics;
  log: Logger;
  /** The parameter store this master serves (asynchronous jobs reach it through their session). */
  store?: ParameterStore;
  /** How long a finished job's metric series stay (default 600 s; see JobSeriesRetention). */
  metricsRetentionSeconds?: number;
  /** The master's linear-algebra threads (default: one pool with the default options, started at first use). */
  linalg?: MasterLinalg;
}

/** A worker the master can reach: unary client and the long-lived task stream. */
interface Link {
  conn: WorkerConnection;
  stream: TaskStream;
}

/**
 * The master's view of its workers: a connection and a task stream per worker (opened when it
 * joins; a broken stream marks it lost), placement, chaos configuration, and the queue of job
 * sessions. A job sees the cluster only through its JobSession (`openJob`).
 */
export class Cluster implements SessionHost {
  private readonly links = new Map<number, Link>();
  private readonly lossListeners = new Set<(worker: number) => void>();
  private readonly queue: JobQueue;
  private sessions = 0;
  private readonly retention: JobSeriesRetention;
  private readonly la: MasterLinalg;

  constructor(
    readonly registry: WorkerRegistry,
    private readonly opts: ClusterOptions,
  ) {
    this.retention = new JobSeriesRetention(opts.metrics, opts.metricsRetentionSeconds);
    this.la = opts.linalg ?? new MasterLinalg({}, opts.log);
    this.queue = new JobQueue((s) => {
      opts.metrics.jobsQueued.set(s.queued.length);
      if (s.queued.length > 0) opts.log.info({ running: s.running?.id, queued: s.queued.map((j) => j.id) }, 'job queue');
    });
    registry.on('lost', (w, reason) => {
      opts.log.warn({ worker: w.index, reason }, 'worker lost');
      opts.metrics.workersLost.inc();
      opts.metrics.workersAlive.set(registry.alive().length);
      this.unlink(w.index);
      for (const notify of [...this.lossListeners]) notify(w.index);
    });
    registry.on('join', (w) => {
      this.link(w.index, w.address);
      opts.metrics.workersAlive.set(registry.alive().length);
    });
    for (const w of registry.alive()) this.link(w.index, w.address);
  }

  get store(): ParameterStore | undefined {
    return this.opts.store;
  }

  get metrics(): MasterMetrics {
    return this.opts.metrics;
  }

  get log(): Logger {
    return this.opts.log;
  }

  /** The master's linear algebra on its compute thread, one pool per master (started at first use). */
  linalg(): Promise<AsyncLinalg> {
    return this.la.get();
  }

  /** The master's long array work (master/compute) on the same compute thread. */
  compute(): Promise<MasterCompute> {
    return this.la.compute();
  }

  private shardsOf: ShardedStore | undefined;
  /** The sharded parameter store: slices on the workers, reached over this cluster's connections. */
  get shards(): ShardedStore {
    this.shardsOf ??= new ShardedStore(
      {
        client: (w) => this.conn(w).client,
        address: (w) => this.conn(w).address,
        token: this.opts.token,
      },
      this.opts.metrics,
    );
    return this.shardsOf;
  }

  private link(index: number, address: string): void {
    // A worker whose Register reply came late registers again: keep its live link.
    const current = this.links.get(index);
    if (current && current.conn.address === address && current.stream.open) return;
    this.unlink(index);
    const conn = new WorkerConnection(index, address, this.opts.token, this.opts.tls);
    let warned = false;
    const stream = new TaskStream(
      () => conn.openTasks(),
      (reason) => {
        // The same worker may have re-joined since: only the current link's break counts.
        if (this.links.get(index)?.conn === conn) this.registry.markLost(index, reason);
      },
      (reason, detail) => {
        this.opts.metrics.ignoredAnswers.inc({ worker: String(index), reason });
        // A late answer is a straggler's whose cancellation crossed it: normal. An empty reply is
        // not, but one line per connection is enough.
        if (reason === 'empty' && !warned) {
          warned = true;
          this.opts.log.warn({ worker: index, detail }, 'ignored a malformed reply on a task stream; further ones are counted, not logged');
        }
      },
    );
    this.links.set(index, { conn, stream });
  }

  private unlink(index: number): void {
    const l = this.links.get(index);
    if (!l) return;
    this.links.delete(index);
    l.stream.close();
    l.conn.close();
  }

  /** True while the worker's task stream is open (HTTP/2 keepalive vouches for it). */
  connected(worker: number): boolean {
    return this.links.get(worker)?.stream.open ?? false;
  }

  /** Every live worker. */
  liveWorkers(): number[] {
    return this.registry.aliveIndices().slice();
  }

  /**
   * Opens a job session once every job before it has finished (one job at a time, in order).
   * The session owns the job's workers, round counter, chaos and metric labels; close it in a
   * `finally`.
   */
  async openJob(spec: JobSessionSpec): Promise<JobSession> {
    const id = spec.id ?? `${spec.kind}-${process.pid}-${Date.now().toString(36)}-${++this.sessions}`;
    const entry = { id, kind: spec.kind };
    await this.queue.enter(entry, spec.signal);
    return new JobSession(this, { ...spec, id }, () => {
      this.queue.leave(entry);
      this.retention.jobFinished(id);
    });
  }

  /** The job running now and those waiting. */
  jobs(): ReturnType<JobQueue['status']> {
    return this.queue.status();
  }

  private conn(worker: number): WorkerConnection {
    const c = this.links.get(worker)?.conn;
    if (!c) throw new ClusterError(`worker ${worker} is not connected`);
    return c;
  }

  /** Sets (or resets) chaos on `workers` for job `jobId`; each worker gets its own seed. */
  async configureChaos(jobId: string, workers: readonly number[], chaos: WorkerChaos | 'reset'): Promise<void> {
    await Promise.all(
      workers.map(async (w) => {
        const configure = (): Promise<void> => {
          if (chaos === 'reset') return this.conn(w).configure(jobId, 'reset');
          const applies = !chaos.only || chaos.only.includes(w);
          const delay = typeof chaos.delay === 'function' ? chaos.delay(w) : chaos.delay;
          return this.conn(w).configure(jobId, {
            delay: applies ? delay : { dist: 'none' },
            fault: applies ? chaos.fault : { dropProbability: 0, hangProbability: 0, crashAfterTasks: 0 },
            seed: chaos.seed * 7919 + w,
            cores: chaos.cores,
          });
        };
        const before = this.links.get(w)?.conn;
        try {
          await configure();
        } catch (e) {
          // A worker lost meanwhile needs no chaos; one that re-joined gets it on its new link.
          if (this.registry.get(w)?.status !== 'alive') return;
          if (this.links.get(w)?.conn !== before) return configure().catch((e2: unknown) => Promise.reject(controlFailed(`configuring job ${jobId}'s chaos`, w, e2)));
          throw controlFailed(`configuring job ${jobId}'s chaos`, w, e);
        }
      }),
    );
  }

  /**
   * Replaces the delay of job `jobId` on `workers` (a chaos schedule's `set delay`), keeping their
   * faults; each worker gets its own seed (`seed`, offset by its index).
   */
  async changeDelay(jobId: string, workers: readonly number[], delay: (worker: number) => DelaySpec, seed: number): Promise<void> {
    await Promise.all(workers.map((w) => this.conn(w).configure(jobId, { delay: delay(w), seed: seed * 7919 + w }).catch((e: unknown) => Promise.reject(controlFailed(`changing job ${jobId}'s delay`, w, e)))));
  }

  /** Drops the blocks `ids` (as the worker knows them) of job `jobId` from one worker. */
  async dropBlocksOn(jobId: string, worker: number, ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.links.get(worker)?.conn.dropBlocks(jobId, [...ids]).catch((e: unknown) => Promise.reject(controlFailed(`dropping ${ids.length} block(s) of job ${jobId}`, worker, e)));
  }

  /**
   * Places a plan's stored blocks on `live` workers; `workers` (N) sets the unit of work. A worker
   * whose placement fails (its bulk channel cut or answering garbage, its stream gone) is handed
   * to `onUnplaced` when given, and the plan is placed on the others: the first round moves that
   * worker's slots to them, as for a worker lost. Throws when no host could be placed, or on the
   * first failure without `onUnplaced`.
   */
  async place(jobId: string, plan: Plan, data: BlockData, live: readonly number[], options: PlaceOptions = {}, onUnplaced?: (worker: number, why: string) => void): Promise<Placed> {
    if (live.length === 0) throw new ClusterError('no live workers to place blocks on');
    const liveSet = new Set(live);
    for (const s of plan.slots) {
      if (!liveSet.has(s.host)) throw new ClusterError(`the plan puts a slot on worker ${s.host}, which is not alive (live: ${live.join(', ')})`);
    }
    const blocks = await this.storedBlocks(plan, data);
    const work = options.work ? plan.slots.map((_, s) => options.work!(s)) : slotWork(plan, blocks, data.A.rows * data.A.cols, live.length);
    if (options.referenceFlops !== undefined && !(options.referenceFlops > 0 && Number.isFinite(options.referenceFlops))) {
      throw new RangeError(`placing ${jobId}: the reference task's flops must be positive, got ${options.referenceFlops}`);
    }
    // Placed data with no entries (a plan of noops) has no gradient to measure by: 1 flop, unused.
    const reference = options.referenceFlops ?? (leastSquaresReference(data.A.rows, data.A.cols, live.length) || 1);
    const placed = new Placed(jobId, plan, blocks, work, options.blockIds, reference);
    placed.taskDeadlineSeconds = options.taskDeadlineSeconds;
    for (const [id, workers] of options.held ?? []) {
      const live = [...workers].filter((w) => liveSet.has(w));
      if (live.length > 0) placed.holders.set(id, new Set(live));
    }
    const need = [...blocksPerWorker(plan, placed.hosts)];
    const settled = await Promise.allSettled(need.map(([w, ids]) => this.placeOn(placed, w, [...ids])));
    const failed = settled.flatMap((r, i) => (r.status === 'rejected' ? [{ worker: need[i]![0], error: r.reason as unknown }] : []));
    if (failed.length > 0 && (!onUnplaced || failed.length === need.length)) throw failed[0]!.error;
    for (const f of failed) onUnplaced!(f.worker, messageOf(f.error));
    return placed;
  }

  /**
   * The plan's stored blocks (materializeStoredBlocks): the plain ones as views here, the coded
   * ones (parity sums over X, seconds at 200000×200) on the compute thread, in shared memory.
   */
  private async storedBlocks(plan: Plan, data: BlockData): Promise<OutgoingBlock[]> {
    const coded = plan.stored.flatMap((spec, id) => (isPlainStored(spec) ? [] : [id]));
    if (coded.length === 0) return materializeStoredBlocks(plan, data);
    const made = await (await this.compute()).storedBlocks(plan.stored, coded, data.A, data.b, data.blockStarts);
    const byId = new Map(made.map((b) => [b.id, b]));
    return plan.stored.map((spec, id) => byId.get(id) ?? materializeStoredBlock(spec, id, data));
  }

  /** Streams the stored blocks `ids` to `worker` unless it holds them already. */
  async placeOn(placed: Placed, worker: number, ids: readonly number[]): Promise<void> {
    const missing = ids.filter((id) => !placed.holders.get(id)?.has(worker));
    if (missing.length === 0) return;
    let bytes: number;
    try {
      const conn = this.conn(worker);
      const before = conn.bulkUnavailable;
      ({ bytes } = await conn.placeBlocks(placed.jobId, missing.map((id) => placed.blocks[id]!)));
      if (conn.bulkUnavailable !== before) this.opts.log.warn({ worker, reason: conn.bulkUnavailable }, 'placing through LoadBlocks: the bulk channel is out of reach');
    } catch (e) {
      const err = e as { details?: string; message: string };
      throw new ClusterError(`placing ${missing.length} block(s) of ${placed.jobId} on worker ${worker} failed: ${err.details || err.message}`);
    }
    placed.bytesPlaced += bytes;
    this.opts.metrics.bytesPlaced.inc({ worker: String(worker) }, bytes);
    for (const id of missing) {
      let h = placed.holders.get(id);
      if (!h) placed.holders.set(id, (h = new Set()));
      h.add(worker);
    }
  }

  async release(placed: Placed): Promise<void> {
    await Promise.allSettled(this.liveWorkers().map((w) => this.links.get(w)?.conn.dropBlocks(placed.jobId)));
  }

  /** Runs one round of a placed plan over the task streams (see round-run.ts). */
  round(
    placed: Placed,
    payload: TaskPayload | ((slot: number) => TaskPayload),
    roundNo: number,
    job: RoundJob,
    options?: RoundOptions,
  ): Promise<RoundOutcome> {
    return new RoundRun(
      {
        stream: (w) => this.links.get(w)?.stream,
        placeOn: (p, w, ids) => this.placeOn(p, w, ids),
        markLost: (w, reason) => this.registry.markLost(w, reason),
        liveWorkers: () => job.live(),
        // Lost to the cluster, or dropped from the job for its bad answers: the round moves its slots either way.
        onLoss: (fn) => {
          this.lossListeners.add(fn);
          const stopDrops = job.answers.onDrop(fn);
          return () => {
            this.lossListeners.delete(fn);
            stopDrops();
          };
        },
        answers: job.answers,
        metrics: this.opts.metrics,
        log: this.opts.log,
        taskDeadlineSeconds: this.opts.taskDeadlineSeconds,
        labels: job.labels,
        workMeasure: job.workMeasure(),
        sumOffLoop: async (ws) => (await this.compute()).weightedSum(ws),
      },
      placed,
      payload,
      roundNo,
      options,
    ).run();
  }

  /** Closes the worker links and stops the linear-algebra threads. */
  async close(): Promise<void> {
    for (const w of [...this.links.keys()]) this.unlink(w);
    this.retention.close();
    await this.la.close();
  }
}

/** A worker's control call that failed (after its retries): a ClusterError naming the worker and the call. */
function controlFailed(what: string, worker: number, e: unknown): ClusterError {
  const err = e as { details?: string; message?: string };
  return e instanceof ClusterError ? e : new ClusterError(`${what} on worker ${worker} failed: ${err.details || err.message || String(e)}`, { cause: e });
}
