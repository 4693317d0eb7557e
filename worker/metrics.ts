import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The worker's own metrics (the master measures latency as seen across the wire). */
export class WorkerMetrics {
  readonly tasks: Counter<'kind' | 'outcome'>;
  readonly computeSeconds: Histogram<'kind'>;
  readonly injectedDelaySeconds: Histogram<'kind'>;
  readonly bytesReceived: Counter;
  readonly blocksStored: Gauge;
  readonly bytesStored: Gauge;
  readonly sliceReads: Counter<'kind'>;
  readonly sliceWrites: Counter<'by'>;

  constructor(registry: Registry) {
    this.tasks = new Counter({
      name: 'coda_worker_tasks_total',
      help: 'Tasks received by this worker, by kind and outcome (ok, cancelled, dropped, hung, error, refused)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    });
    const buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    this.computeSeconds = new Histogram({
      name: 'coda_worker_compute_seconds',
      help: 'Time spent computing a task (excluding injected delay)',
      labelNames: ['kind'],
      buckets,
      registers: [registry],
    });
    this.injectedDelaySeconds = new Histogram({
      name: 'coda_worker_injected_delay_seconds',
      help: 'Delay injected before a task (chaos)',
      labelNames: ['kind'],
      buckets,
      registers: [registry],
    });
    this.bytesReceived = new Counter({
      name: 'coda_worker_block_bytes_received_total',
      help: 'Bytes of block data received through LoadBlocks',
      registers: [registry],
    });
    this.blocksStored = new Gauge({ name: 'coda_worker_blocks', help: 'Blocks held in memory', registers: [registry] });
    this.bytesStored = new Gauge({ name: 'coda_worker_block_bytes', help: 'Bytes of blocks held in memory', registers: [registry] });
    this.sliceReads = new Counter({
      name: 'coda_worker_slice_reads_total',
      help: 'Reads of the parameter slices this worker owns, served to peers and the master (kind: values, versions)',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.sliceWrites = new Counter({
      name: 'coda_worker_slice_writes_total',
      help: 'Writes of the parameter slices this worker owns (by: owner, its own AsyncEigenPro loop; rpc, WriteSlice from the master)',
      labelNames: ['by'],
      registers: [registry],
    });
  }
}
