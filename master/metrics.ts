import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * The master's metrics: what a user watches while a job runs. Catalogue: docs/metrics.md.
 * No label is named `job` or `instance`: Prometheus sets those on every scraped series, and a
 * clash would rename ours to `exported_job` (the job's kind is `job_kind`).
 */
export class MasterMetrics {
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
  readonly backups: Counter<'scheme'>;
  readonly residual: Gauge<'job_kind' | 'job_id'>;
  readonly jobsQueued: Gauge;
  readonly parameterReads: Counter<'name'>;
  readonly parameterWrites: Counter<'name'>;

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
    });
    this.workersAlive = new Gauge({ name: 'coda_workers_alive', help: 'Workers registered and alive', registers: r });
    this.workersLost = new Counter({ name: 'coda_workers_lost_total', help: 'Workers declared lost', registers: r });
    this.slotsMoved = new Counter({
      name: 'coda_slots_relocated_total',
      help: "Task slots moved to another worker after their host was lost",
      labelNames: ['scheme'],
      registers: r,
    });
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
  }
}
