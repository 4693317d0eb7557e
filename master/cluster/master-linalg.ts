import type { Logger } from '../../shared/log';
import { linalgThread, type AsyncLinalg, type LinalgThreadOptions, type LinalgThreadPool } from '../../shared/linalg';
import { masterCompute, masterThreadEntry, type MasterCompute } from '../compute';

/**
 * The master's one pool of linear-algebra compute threads: every factorization, Gram, reference
 * solve, rank check and error product of its jobs runs there, never on the event loop that
 * answers gRPC, keepalives and heartbeats. Started at first use (a master that only serves
 * workers never starts a thread), closed when the master stops. A pool that failed to start is
 * started again at the next use (the failure went to the job that asked). Its threads also run
 * the master's long array work (master/compute: data generation, padded copies, coded blocks).
 */
export class MasterLinalg {
  private pool: Promise<LinalgThreadPool> | undefined;
  private closed = false;

  constructor(
    private readonly options: LinalgThreadOptions,
    private readonly log: Logger,
  ) {}

  /** The pool, started on the first call. */
  get(): Promise<AsyncLinalg> {
    return this.start();
  }

  /** The master's array work (master/compute) on the same threads. */
  async compute(): Promise<MasterCompute> {
    return masterCompute(await this.start());
  }

  private start(): Promise<LinalgThreadPool> {
    if (this.closed) return Promise.reject(new Error('the master is stopping: its linear algebra threads are closed'));
    this.pool ??= linalgThread({ ...this.options, entry: this.options.entry ?? masterThreadEntry() }).then(
      (p) => {
        if (p.warning) this.log.warn(p.warning);
        this.log.info({ backend: p.name, blas: p.blas }, 'linear algebra thread started');
        return p;
      },
      (e: unknown) => {
        this.pool = undefined;
        throw e;
      },
    );
    return this.pool;
  }

  /** Stops the threads (calls still out reject with CancelledError). */
  async close(): Promise<void> {
    this.closed = true;
    const p = this.pool;
    this.pool = undefined;
    if (p) await p.then((pool) => pool.close(), () => undefined);
  }
}
