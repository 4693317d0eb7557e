import type { FaultEvent } from '../../shared/chaos';
import type { Logger } from '../../shared/log';
import type { WorkerRegistry } from './registry';

/** Carries out a job's chaos schedule round by round (delay changes here; faults by whoever runs the workers). */
export interface ScheduleExecutor {
  beforeRound(round: number): Promise<void>;
  finish(): Promise<void>;
  readonly applied: string[];
}

/**
 * Makes the executor of a job's fault events, given by whoever started the workers (the
 * launcher's local process clusters signal worker processes): the master only calls it.
 */
export type FaultExecutorFactory = (faults: readonly FaultEvent[], registry: WorkerRegistry, log: Logger) => ScheduleExecutor;
