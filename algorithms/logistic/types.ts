/** The solvers of the OverSketched Newton paper's comparison (and GIANT). */
export const LOGISTIC_SOLVERS = ['gd', 'newton', 'oversketched-newton', 'giant'] as const;
export type LogisticSolver = (typeof LOGISTIC_SOLVERS)[number];

/** What every logistic solver reports per iteration and at the end. */
export interface LogisticStop {
  /** The absolute gradient norm ‖∇f(w)‖₂ at which to stop (job files: stop.gradNorm). */
  gradNorm: number;
  maxRounds: number;
  timeLimit: number;
  /** Stop once f ≤ objective. */
  objective?: number;
}

export interface IterationRecord {
  /** 0 is the starting point w = 0. */
  iteration: number;
  /** Seconds since the solver started (placement excluded) when this iterate's gradient was known. */
  seconds: number;
  /** f(w) and ‖∇f(w)‖ as the solver computed them (exact for mds-coded gradients and wait-all/frc GIANT). */
  objective: number;
  gradNorm: number;
  trainError: number;
  /** Step taken from this iterate (0 on the last record). */
  step: number;
  /** Cumulative work on the workers, in n×d matrix-vector products, of the answers used. */
  passes: number;
  /**
   * The rounds of this iteration, by purpose: wall seconds, stragglers, backups, and tensor bytes
   * moved (task payloads sent plus answers received, measured by the dispatcher).
   */
  rounds: { purpose: string; seconds: number; stragglers: number; backups: number; bytes: number }[];
  /** Set on the first iteration after a master restart resumed the run from a checkpoint. */
  resumed?: true;
}

export interface LogisticRunResult {
  solver: LogisticSolver;
  w: Float64Array;
  /** Iterates w₀, w₁, … (for post-hoc evaluation on train and test data outside the timed loop). */
  iterates: Float64Array[];
  history: IterationRecord[];
  iterations: number;
  seconds: number;
  stoppedBy: 'gradNorm' | 'objective' | 'maxRounds' | 'timeLimit' | 'signal' | 'stalled';
  stragglersCutOff: number;
  backupsLaunched: number;
}

export interface LogisticRunOptions {
  stop: LogisticStop;
  signal?: AbortSignal;
  onIteration?: (r: IterationRecord) => void;
  /** Go on from a checkpoint: its state and the iterations before it (each with its iterate). */
  resume?: { state: LogisticState; history: LogisticHistoryEntry[] };
  /** Offered the state after every iteration that took a step: a job's checkpointer saves it when due. */
  checkpoint?: (iteration: number, state: () => LogisticState, history: (from: number) => LogisticHistoryEntry[]) => void;
}

/**
 * What a logistic solver needs to go on after iteration `next − 1` as if it had not stopped: the
 * iterate, X·w (the Newton family updates it by steps, so recomputing it would round differently),
 * gradient descent's last step, and the counters. Every sketch is seeded by the iteration, so
 * nothing random is kept.
 */
export interface LogisticState {
  next: number;
  w: Float64Array;
  alpha?: Float64Array | undefined;
  gdStep: number;
  passes: number;
  stragglers: number;
  backups: number;
  seconds: number;
}

/** One iteration of the history log: its record and the iterate it started from (for the post-hoc evaluation). */
export interface LogisticHistoryEntry {
  record: IterationRecord;
  w: Float64Array;
}
