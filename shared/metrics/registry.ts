import { Registry, collectDefaultMetrics } from 'prom-client';

let processMetricsTaken = false;

/**
 * A registry, prefixed coda_, with the process's default metrics (CPU, memory, event loop lag):
 * `always`, `once` per process (several worker services in one process share it: the
 * event-loop monitor wakes the process every 10 ms, which would multiply for nothing) or `never`
 * (a worker without a /metrics server).
 */
export function createRegistry(role: string, labels: Record<string, string> = {}, processMetrics: 'always' | 'once' | 'never' = 'always'): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ role, ...labels });
  if (processMetrics === 'always' || (processMetrics === 'once' && !processMetricsTaken)) {
    processMetricsTaken = true;
    collectDefaultMetrics({ register: registry, prefix: 'coda_process_' });
  }
  return registry;
}
