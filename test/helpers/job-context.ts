import type { RunContext } from '../../master';
import type { LocalCluster } from '../../launcher';

/**
 * The context runJob needs on a local cluster (its master's cluster, metrics and log), plus
 * whatever a test adds (progress, a worker subset, a signal, chaos executors).
 */
export function jobContext(lc: LocalCluster, extra: Omit<Partial<RunContext>, 'cluster' | 'metrics' | 'log'> = {}): RunContext {
  return { cluster: lc.master.cluster, metrics: lc.master.metrics, log: lc.master.log, ...extra };
}
