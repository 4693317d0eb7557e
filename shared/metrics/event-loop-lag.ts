import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

/**
 * Event-loop lag, the health figure of a process whose loop answers gRPC, keepalives and
 * heartbeats: how much later than asked a timer firing every `resolution` ms ran, over a window
 * (a job), as p99 and max in seconds. perf_hooks.monitorEventLoopDelay samples it in libuv
 * (no JS runs per sample); it records the whole interval, so the resolution is taken off:
 * an idle loop reads about 0, a loop blocked 200 ms reads about 0.2.
 *
 *   const lag = new EventLoopLagMonitor().start();   // at the job's start
 *   ...
 *   result.eventLoopLag = { master: lag.stop(), workers: worstEventLoopLag(fromWorkers) };
 */
export interface EventLoopLag {
  /** 99th percentile of the lag, seconds. */
  p99: number;
  /** Largest lag seen, seconds. */
  max: number;
}

/** The default sampling interval (prom-client's default metrics use the same). */
export const LAG_RESOLUTION_MS = 10;

function lagOf(h: IntervalHistogram, resolutionMs: number): EventLoopLag {
  if (h.count === 0) return { p99: 0, max: 0 };
  const excess = (ns: number): number => Math.max(0, ns / 1e9 - resolutionMs / 1e3);
  return { p99: excess(h.percentile(99)), max: excess(h.max) };
}

/** One window of event-loop lag: start, read as often as wanted, stop. Its timer does not keep the process alive. */
export class EventLoopLagMonitor {
  private histogram: IntervalHistogram | undefined;
  private final: EventLoopLag = { p99: 0, max: 0 };
  /**
   * The last read and the histogram's sample count then: a worker reads its window with every
   * task result (thousands a second), the histogram takes one sample per `resolution` ms, and
   * percentile() walks its buckets (measured: 2 µs a task, a tenth of a no-op task's CPU on the
   * worker). An unchanged count is an unchanged histogram, so the cached figures are exact.
   */
  private cachedCount = -1;
  private cached: EventLoopLag = { p99: 0, max: 0 };

  constructor(readonly resolutionMs = LAG_RESOLUTION_MS) {
    if (!Number.isInteger(resolutionMs) || resolutionMs < 1) throw new RangeError(`event-loop lag resolution must be a positive integer of ms, got ${resolutionMs}`);
  }

  /** Begins a new window (a running one is discarded). */
  start(): this {
    this.histogram?.disable();
    this.histogram = monitorEventLoopDelay({ resolution: this.resolutionMs });
    this.histogram.enable();
    this.cachedCount = -1;
    return this;
  }

  get running(): boolean {
    return this.histogram !== undefined;
  }

  /** The window so far (or the last window's figures once stopped). */
  read(): EventLoopLag {
    const h = this.histogram;
    if (!h) return this.final;
    const count = h.count;
    if (count !== this.cachedCount) {
      this.cached = lagOf(h, this.resolutionMs);
      this.cachedCount = count;
    }
    return this.cached;
  }

  /** Ends the window: its figures, and no more sampling. */
  stop(): EventLoopLag {
    if (this.histogram) {
      this.histogram.disable();
      this.final = lagOf(this.histogram, this.resolutionMs);
      this.histogram = undefined;
    }
    return this.final;
  }
}

/** The worst over several processes (result.json's `workers`): the largest p99 and the largest max. */
export function worstEventLoopLag(lags: readonly EventLoopLag[]): EventLoopLag {
  return lags.reduce((w, l) => ({ p99: Math.max(w.p99, l.p99), max: Math.max(w.max, l.max) }), { p99: 0, max: 0 });
}

export const EVENT_LOOP_LAG_METRIC = 'coda_event_loop_lag_seconds';

/**
 * The gauge `coda_event_loop_lag_seconds{quantile="0.99"|"1"}` on `registry` (whose default
 * label `role` says master or worker): the lag over the window since the previous scrape, so
 * each scrape sees the interval it covers. Returns a stop function (removes the metric and the
 * sampling).
 */
export function registerEventLoopLagMetric(registry: Registry, resolutionMs = LAG_RESOLUTION_MS): () => void {
  const window = new EventLoopLagMonitor(resolutionMs).start();
  new Gauge({
    name: EVENT_LOOP_LAG_METRIC,
    help: 'Event-loop lag beyond the sampling interval, seconds, over the window since the last scrape: quantile 0.99 and 1 (the max)',
    labelNames: ['quantile'],
    registers: [registry],
    collect() {
      const lag = window.read();
      window.start();
      this.set({ quantile: '0.99' }, lag.p99);
      this.set({ quantile: '1' }, lag.max);
    },
  });
  return () => {
    window.stop();
    registry.removeSingleMetric(EVENT_LOOP_LAG_METRIC);
  };
}
