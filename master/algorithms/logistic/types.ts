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
}
