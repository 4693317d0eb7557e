import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * The master's metrics: what a user watches while a job runs. Catalogue: docs/metrics.md.
 * No label is named `job` or `instance`: Prometheus sets those on every scraped series, and a
 * clash would rename ours to `exported_job` (the job's kind is `job_kind`).
 */
export class MasterMetrics {
  /** coda_tasks_total counted in place per (kind, scheme, outcome) and worker: see taskCounts. */
  private readonly taskCountGroups = new Map<string, WorkerCounts>();
  /** coda_task_payload_bytes_total{direction="sent"} not yet handed to the counter. */
  private sentBytes = 0;
  readonly taskDuration: Histogram<'worker' | 'kind' | 'scheme'>;
  readonly tasks: Counter<'worker' | 'kind' | 'scheme' | 'outcome'>;
  readonly stragglers: Counter<'worker' | 'scheme'>;
  readonly rounds: Counter<'scheme' | 'job_kind' | 'job_id'>;
  readonly roundDuration: Histogram<'scheme'>;
  readonly bytesPlaced: Counter<'worker'>;
  readonly bytesTask: Counter<'direction'>;
  readonly workersAlive: Gauge;
  readonly workersLost: Counter;
  readonly slotsMoved: Counter<'scheme'>;
  readonly badAnswers: Counter<'worker' | 'reason'>;
  readonly ignoredAnswers: Counter<'worker' | 'reason'>;
  readonly workersDropped: Counter;
  readonly backups: Counter<'scheme'>;
  readonly residual: Gauge<'job_kind' | 'job_id'>;
  readonly jobsQueued: Gauge;
  readonly parameterReads: Counter<'name'>;
  readonly parameterWrites: Counter<'name'>;
  readonly runtimeShift: Gauge<'job_kind' | 'job_id' | 'worker'>;
  readonly runtimeTailMean: Gauge<'job_kind' | 'job_id' | 'worker'>;
  readonly runtimeSlowness: Gauge<'job_kind' | 'job_id' | 'worker'>;
  readonly runtimeChanges: Counter<'job_kind' | 'job_id' | 'scope'>;
  readonly adaptiveDecisions: Counter<'job_kind' | 'job_id'>;
  readonly adaptiveReplans: Counter<'job_kind' | 'job_id'>;
  readonly adaptiveReplanSeconds: Counter<'job_kind' | 'job_id'>;
  readonly adaptiveScheme: Gauge<'job_kind' | 'job_id' | 'scheme' | 'placement'>;
  readonly adaptiveExcluded: Gauge<'job_kind' | 'job_id'>;
  readonly adaptiveProbes: Counter<'job_kind' | 'job_id'>;

  constructor(registry: Registry) {
    const buckets = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30];
    const r = [registry];
    this.taskDuration = new Histogram({
      name: 'coda_task_duration_seconds',
      help: 'Task latency seen by the master, from send to answer (answered tasks only)',
      labelNames: ['worker', 'kind', 'scheme'],
      buckets,
      registers: r,
    });
    this.tasks = new Counter({
      name: 'coda_tasks_total',
      help: 'Tasks sent, by outcome: answered, cancelled (straggler or losing backup), failed',
      labelNames: ['worker', 'kind', 'scheme', 'outcome'],
      registers: r,
      // Every read (a scrape, get()) first takes the counts kept in place (taskCounts).
      collect: () => {
        for (const g of this.taskCountGroups.values()) g.flushInto(this.tasks);
      },
    });
    this.stragglers = new Counter({
      name: 'coda_stragglers_cancelled_total',
      help: 'Tasks still out when their round decoded, cancelled by the master',
      labelNames: ['worker', 'scheme'],
      registers: r,
    });
    this.rounds = new Counter({ name: 'coda_rounds_total', help: 'Rounds decoded, by scheme and job', labelNames: ['scheme', 'job_kind', 'job_id'], registers: r });
    this.roundDuration = new Histogram({
      name: 'coda_round_duration_seconds',
      help: 'Round wall time, from first send to decode',
      labelNames: ['scheme'],
      buckets,
      registers: r,
    });
    this.bytesPlaced = new Counter({
      name: 'coda_bytes_placed_total',
      help: 'Block bytes streamed to workers',
      labelNames: ['worker'],
      registers: r,
    });
    this.bytesTask = new Counter({
      name: 'coda_task_payload_bytes_total',
      help: 'Tensor bytes in task requests (sent) and results (received)',
      labelNames: ['direction'],
      registers: r,
      collect: () => {
        if (this.sentBytes > 0) this.bytesTask.inc({ direction: 'sent' }, this.sentBytes);
        this.sentBytes = 0;
      },
    });
    this.workersAlive = new Gauge({ name: 'coda_workers_alive', help: 'Workers registered and alive', registers: r });
    this.workersLost = new Counter({ name: 'coda_workers_lost_total', help: 'Workers declared lost', registers: r });
    this.slotsMoved = new Counter({
      name: 'coda_slots_relocated_total',
      help: "Task slots moved to another worker after their host was lost",
      labelNames: ['scheme'],
      registers: r,
    });
    this.badAnswers = new Counter({
      name: 'coda_bad_answers_total',
      help: 'Answers the master refused (malformed, wrong length or shape, non-finite): the slot was run elsewhere',
      labelNames: ['worker', 'reason'],
      registers: r,
    });
    this.ignoredAnswers = new Counter({
      name: 'coda_ignored_answers_total',
      help: 'Messages on a task stream that touched no round (late, an unknown slot, a duplicate, empty, from a dropped worker)',
      labelNames: ['worker', 'reason'],
      registers: r,
    });
    this.workersDropped = new Counter({ name: 'coda_workers_dropped_total', help: 'Workers dropped from a job: too many bad answers, or blocks that could not be placed on them', registers: r });
    this.backups = new Counter({
      name: 'coda_backup_tasks_total',
      help: 'Backup copies launched by speculative execution',
      labelNames: ['scheme'],
      registers: r,
    });
    this.residual = new Gauge({
      name: 'coda_job_residual',
      help: "The running job's relative residual (least squares) or loss",
      labelNames: ['job_kind', 'job_id'],
      registers: r,
    });
    this.jobsQueued = new Gauge({ name: 'coda_jobs_queued', help: 'Jobs submitted to this master waiting for the one running to finish', registers: r });
    this.parameterReads = new Counter({ name: 'coda_parameter_reads_total', help: 'Parameter store reads', labelNames: ['name'], registers: r });
    this.parameterWrites = new Counter({ name: 'coda_parameter_writes_total', help: 'Parameter store slice writes', labelNames: ['name'], registers: r });

    // The adaptive scheme's runtime model (core/runtime): a worker's slowdown is seconds per unit of work.
    const job = ['job_kind', 'job_id'] as const;
    this.runtimeShift = new Gauge({
      name: 'coda_runtime_worker_shift_seconds',
      help: "Fitted shift of a worker's slowdown (shifted exponential; seconds per unit of work)",
      labelNames: [...job, 'worker'],
      registers: r,
    });
    this.runtimeTailMean = new Gauge({
      name: 'coda_runtime_worker_tail_mean_seconds',
      help: "Fitted mean of the exponential part of a worker's slowdown (1/rate; seconds per unit of work)",
      labelNames: [...job, 'worker'],
      registers: r,
    });
    this.runtimeSlowness = new Gauge({
      name: 'coda_runtime_worker_slowness_ratio',
      help: "A worker's median slowdown over the cluster's (1: typical, 8: eight times slower)",
      labelNames: [...job, 'worker'],
      registers: r,
    });
    this.runtimeChanges = new Counter({
      name: 'coda_runtime_changes_total',
      help: 'Changes the runtime model detected, by scope: one worker, or the whole cluster',
      labelNames: [...job, 'scope'],
      registers: r,
    });
    this.adaptiveDecisions = new Counter({ name: 'coda_adaptive_decisions_total', help: "Decisions of the adaptive scheme (every few rounds)", labelNames: [...job], registers: r });
    this.adaptiveReplans = new Counter({ name: 'coda_adaptive_replans_total', help: 'Re-plans of the adaptive scheme (a new scheme, parameters or worker set placed)', labelNames: [...job], registers: r });
    this.adaptiveReplanSeconds = new Counter({ name: 'coda_adaptive_replan_seconds_total', help: 'Wall time spent re-placing blocks for the adaptive scheme', labelNames: [...job], registers: r });
    this.adaptiveScheme = new Gauge({
      name: 'coda_adaptive_scheme_info',
      help: "The adaptive scheme's current choice (1 on the series of the placement in force)",
      labelNames: [...job, 'scheme', 'placement'],
      registers: r,
    });
    this.adaptiveExcluded = new Gauge({ name: 'coda_adaptive_excluded_workers', help: 'Persistently slow workers the adaptive scheme leaves out', labelNames: [...job], registers: r });
    this.adaptiveProbes = new Counter({ name: 'coda_adaptive_probes_total', help: 'Probe tasks sent to left-out workers', labelNames: [...job], registers: r });
  }

  /**
   * The per-worker counts of one (kind, scheme, outcome) of coda_tasks_total, kept in place and
   * handed to the counter whenever it is read (a scrape, get()): a round takes its group once and
   * counts each answer with a Map increment, where a prom-client inc builds and hashes a label
   * string per call (a measurable share of a no-op task's master CPU). Every task is counted.
   */
  taskCounts(kind: string, scheme: string, outcome: 'answered' | 'failed' | 'cancelled'): WorkerCounts {
    const key = `${kind}\u0000${scheme}\u0000${outcome}`;
    let g = this.taskCountGroups.get(key);
    if (!g) this.taskCountGroups.set(key, (g = new WorkerCounts({ kind, scheme, outcome })));
    return g;
  }

  /** Task payload bytes sent (coda_task_payload_bytes_total{direction="sent"}), summed in place until the counter is read. */
  addSentBytes(bytes: number): void {
    this.sentBytes += bytes;
  }

  /** Removes every series of job `jobId` (all its label sets, in every metric with a job_id label). */
  async forgetJob(jobId: string): Promise<void> {
    await Promise.all([
      dropJob(this.rounds, jobId),
      dropJob(this.residual, jobId),
      dropJob(this.runtimeShift, jobId),
      dropJob(this.runtimeTailMean, jobId),
      dropJob(this.runtimeSlowness, jobId),
      dropJob(this.runtimeChanges, jobId),
      dropJob(this.adaptiveDecisions, jobId),
      dropJob(this.adaptiveReplans, jobId),
      dropJob(this.adaptiveReplanSeconds, jobId),
      dropJob(this.adaptiveScheme, jobId),
      dropJob(this.adaptiveExcluded, jobId),
      dropJob(this.adaptiveProbes, jobId),
    ]);
  }
}

async function dropJob<T extends string>(m: Counter<T> | Gauge<T>, jobId: string): Promise<void> {
  for (const v of (await m.get()).values) {
    if ((v.labels as Record<string, unknown>).job_id === jobId) m.remove(v.labels);
  }
}

/**
 * Bounds the series finished jobs leave behind (job_id is a label, so a master serving job after
 * job would grow its /metrics without end): a finished job's series stay `retainSeconds` (so
 * Prometheus scrapes their final values and a person can look), and at most `keepJobs` finished
 * jobs keep theirs; then they are removed.
 */
export class JobSeriesRetention {
  private readonly finished: { jobId: string; timer: NodeJS.Timeout }[] = [];

  constructor(
    private readonly metrics: MasterMetrics,
    private readonly retainSeconds = 600,
    private readonly keepJobs = 32,
  ) {}

  jobFinished(jobId: string): void {
    const timer = setTimeout(() => this.forget(jobId), this.retainSeconds * 1000);
    timer.unref();
    this.finished.push({ jobId, timer });
    while (this.finished.length > this.keepJobs) this.forget(this.finished[0]!.jobId);
  }

  private forget(jobId: string): void {
    const i = this.finished.findIndex((f) => f.jobId === jobId);
    if (i < 0) return;
    clearTimeout(this.finished[i]!.timer);
    this.finished.splice(i, 1);
    void this.metrics.forgetJob(jobId);
  }

  /** Stops the timers (the master is stopping). */
  close(): void {
    for (const f of this.finished) clearTimeout(f.timer);
    this.finished.length = 0;
  }
}

/** Counts per worker of one label set (but the worker) of a counter, kept until flushInto. */
export class WorkerCounts {
  private readonly counts = new Map<number, number>();

  constructor(readonly labels: { kind: string; scheme: string; outcome: string }) {}

  add(worker: number, n = 1): void {
    this.counts.set(worker, (this.counts.get(worker) ?? 0) + n);
  }

  /** Adds the counts to `counter` (one inc per worker) and starts again from none. */
  flushInto(counter: Counter<'worker' | 'kind' | 'scheme' | 'outcome'>): void {
    for (const [worker, n] of this.counts) counter.inc({ worker: String(worker), ...this.labels }, n);
    this.counts.clear();
  }
}
