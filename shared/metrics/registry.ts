import { Registry, collectDefaultMetrics } from 'prom-client';

/** A registry with the process's default metrics (CPU, memory, event loop lag), prefixed coda_. */
export function createRegistry(role: string, labels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ role, ...labels });
  collectDefaultMetrics({ register: registry, prefix: 'coda_process_' });
  return registry;
}
