import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** The sampling period: the monitor's timer is due every RESOLUTION_MS; a later firing is lag. */
const RESOLUTION_MS = 10;
/** Jobs watched at once in one process (the oldest is forgotten past this). */
const MAX_WINDOWS = 16;

export interface LoopLag {
  p99Seconds: number;
  maxSeconds: number;
}

/**
 * How late this process's event loop runs what is due (the loop that serves gRPC, heartbeats and
 * cancellations), per job: one window a job, opened by the job's first task on any service of the
 * process and closed when the job's blocks are dropped, shared by the process's services (one
 * loop). Each window is perf_hooks.monitorEventLoopDelay (a libuv timer every 10 ms whose
 * lateness is recorded in a histogram); the lag is the recorded delay minus the period.
 */
export class LoopLagWindows {
  private readonly windows = new Map<string, IntervalHistogram>();

  /** Opens `jobId`'s window if it is not open. */
  open(jobId: string): IntervalHistogram {
    let h = this.windows.get(jobId);
    if (!h) {
      h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
      h.enable();
      this.windows.set(jobId, h);
      if (this.windows.size > MAX_WINDOWS) this.close(this.windows.keys().next().value!);
    }
    return h;
  }

  /** The lag since `jobId`'s window opened (opening it now if it was not). */
  of(jobId: string): LoopLag {
    const h = this.open(jobId);
    if (h.count === 0) return { p99Seconds: 0, maxSeconds: 0 };
    const lag = (ns: number): number => Math.max(0, ns / 1e9 - RESOLUTION_MS / 1000);
    return { p99Seconds: lag(h.percentile(99)), maxSeconds: lag(h.max) };
  }

  close(jobId: string): void {
    this.windows.get(jobId)?.disable();
    this.windows.delete(jobId);
  }

}

/** One per process: its services share the event loop. */
export const PROCESS_LOOP_LAG = new LoopLagWindows();
