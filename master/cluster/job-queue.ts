import { CancelledError } from '../../shared/errors';

/** A job waiting for, or holding, the cluster. */
export interface QueuedJob {
  id: string;
  kind: string;
}

/**
 * Jobs submitted to one master run one at a time, in arrival order: a job's chaos, hooks and
 * workers are its own while it runs. `status()` shows who runs and who waits (logs, metrics,
 * SubmitJob's log lines).
 */
export class JobQueue {
  private running: QueuedJob | undefined;
  private readonly waiting: { job: QueuedJob; admit: () => void; signal?: AbortSignal }[] = [];

  constructor(private readonly onChange: (status: { running: QueuedJob | undefined; queued: QueuedJob[] }) => void = () => {}) {}

  /** Resolves when `job` may run (at once if nothing runs); rejects if `signal` aborts while it waits. */
  enter(job: QueuedJob, signal?: AbortSignal): Promise<void> {
    if (!this.running) {
      this.running = job;
      this.changed();
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const entry = { job, admit: resolve, ...(signal ? { signal } : {}) };
      this.waiting.push(entry);
      this.changed();
      signal?.addEventListener(
        'abort',
        () => {
          const i = this.waiting.indexOf(entry);
          if (i < 0) return;
          this.waiting.splice(i, 1);
          this.changed();
          reject(new CancelledError(`job ${job.id} was cancelled while queued`));
        },
        { once: true },
      );
    });
  }

  /** The running job is done: the next one in line starts. */
  leave(job: QueuedJob): void {
    if (this.running?.id !== job.id) return;
    const next = this.waiting.shift();
    this.running = next?.job;
    this.changed();
    next?.admit();
  }

  status(): { running: QueuedJob | undefined; queued: QueuedJob[] } {
    return { running: this.running, queued: this.waiting.map((w) => w.job) };
  }

  private changed(): void {
    this.onChange(this.status());
  }
}
