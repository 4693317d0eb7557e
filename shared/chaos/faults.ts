import type { Rng } from '../random';

/** Faults a worker injects: never answer a task (drop or hang), or exit after n tasks. */
export interface FaultSpec {
  /** Probability a task's result is computed and then dropped (never sent). */
  dropProbability: number;
  /** Probability a task hangs before computing (never answers until cancelled). */
  hangProbability: number;
  /** Exit the process (as a crash, code 137) when this many tasks have started; 0 = never. */
  crashAfterTasks: number;
}

export const NO_FAULTS: FaultSpec = { dropProbability: 0, hangProbability: 0, crashAfterTasks: 0 };

export type FaultDecision = 'none' | 'drop' | 'hang' | 'crash';

/** Decides the fault for the `taskNumber`-th task (1-based). */
export function decideFault(f: FaultSpec, taskNumber: number, rng: Rng): FaultDecision {
  if (f.crashAfterTasks > 0 && taskNumber > f.crashAfterTasks) return 'crash';
  const u = rng.uniform();
  if (u < f.hangProbability) return 'hang';
  if (u < f.hangProbability + f.dropProbability) return 'drop';
  return 'none';
}
