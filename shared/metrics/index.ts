/**
 * Prometheus metrics (prom-client). Names start with `coda_`, use base units, counters end in
 * `_total`. Each role has its own registry and serves it on /metrics.
 *
 *   const m = new WorkerMetrics(registry); m.tasks.inc({ kind: 'lsGradient' });
 *   const server = await serveMetrics(registry, 9464);
 */
export { serveMetrics, type MetricsServer } from './http';
export { createRegistry } from './registry';
export {
  type EventLoopLag,
  EventLoopLagMonitor,
  worstEventLoopLag,
  registerEventLoopLagMetric,
  EVENT_LOOP_LAG_METRIC,
  LAG_RESOLUTION_MS,
} from './event-loop-lag';
