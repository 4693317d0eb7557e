import { EventLoopLagMonitor, type EventLoopLag } from '../shared/metrics';

/** Jobs watched at once in one process (the oldest is forgotten past this). */
const MAX_WINDOWS = 16;

/**
 * How late this process's event loop runs what is due (the loop that serves gRPC, heartbeats and
 * cancellations), per job: one window a job (shared/metrics' EventLoopLagMonitor), opened by the
 * job's first task on any service of the process and closed when the job's blocks are dropped,
 * shared by the process's services (they share the loop). Every task result carries its job's.
 */
export class LoopLagWindows {
  private readonly windows = new Map<string, EventLoopLagMonitor>();

  /** Opens `jobId`'s window if it is not open. */
  open(jobId: string): EventLoopLagMonitor {
    let m = this.windows.get(jobId);
    if (!m) {
      m = new EventLoopLagMonitor().start();
      this.windows.set(jobId, m);
      if (this.windows.size > MAX_WINDOWS) this.close(this.windows.keys().next().value!);
    }
    return m;
  }

  /** The lag since `jobId`'s window opened (opening it now if it was not): p99 and max, seconds. */
  of(jobId: string): EventLoopLag {
    return this.open(jobId).read();
  }

  close(jobId: string): void {
    this.windows.get(jobId)?.stop();
    this.windows.delete(jobId);
  }
}

/** One per process: its services share the event loop. */
export const PROCESS_LOOP_LAG = new LoopLagWindows();
