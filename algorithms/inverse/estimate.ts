import { performance } from 'node:perf_hooks';
import type { ColumnSolverName } from '../../shared/kernels';
import type { AsyncLinalg } from '../../shared/linalg';
import type { Matrix } from '../../shared/tensor';
import type { InverseKind } from './problem';

/**
 * What a column solve will cost, said before any work is sent (issue 26: a plain 1000×1000
 * Gaussian, κ ≈ 10³, ran 13 minutes without a line of output).
 *
 * Each worker solves min ‖Mx − e_i‖² for its columns, M = A (inverse) or M = AᵀA (pseudoinverse),
 * so κ(M) = κ(A) or κ(A)². CG on the normal equations (CGLS) contracts the error in the
 * MᵀM-norm, ‖M(x_k − x*)‖ = ‖r_k‖ (the system is consistent), by Chebyshev's bound:
 *   ‖r_k‖ ≤ 2·((κ(M) − 1)/(κ(M) + 1))^k·‖r_0‖,  ‖r_0‖ = ‖e_i‖ = 1,
 * since √κ(MᵀM) = κ(M). The solver stops at ‖∇f‖ = 2‖Mᵀr‖ ≤ ε, and 2‖Mᵀr‖ ≤ 2σ_max(M)‖r‖, so
 *   k ≤ ½·κ(M)·ln(4σ_max(M)/ε)                          (CG)
 * iterations a column, using ln((κ+1)/(κ−1)) ≥ 2/κ. Steepest descent contracts f by
 * ((κ² − 1)/(κ² + 1))² a step with exact line search (the backtracking search is no faster), which
 * gives the same with κ(M)² for κ(M):
 *   k ≈ ½·κ(M)²·ln(4σ_max(M)/ε)                         (SD)
 * Both are worst-case bounds. CG's is tight for a well-conditioned A (a shifted Gaussian: 57
 * iterations against a bound of 63) and far too high when the bound passes the dimension: in exact
 * arithmetic CG ends within dim steps, and rounding only delays that, so a Gaussian A (singular
 * values spread over [0, 2√n]) takes about 1.6–1.9·dim (measured: 161 at n = 100, 340 at 200,
 * 740 at 400, against bounds of 2947, 7840 and 38985). A spectrum spread evenly on a log scale is
 * slower (4259 at n = 300, κ = 10³: a third of the bound), a clustered one far faster. So the
 * likely count is min(bound, 2·dim) for CG and the bound for SD, the worst the bound; both are
 * capped by the iteration limit. The time is the likely iterations of the solver's stacked
 * product (two products with M of every active column, 4·dim² flops a column) at a measured rate.
 */
export interface SolveEstimate {
  kind: InverseKind;
  solver: ColumnSolverName;
  /** κ₂(A) = σ_max/σ_min from A's singular values. */
  kappaA: number;
  /** κ₂(M) of the matrix the columns are solved against (A, or AᵀA). */
  kappaM: number;
  sigmaMaxM: number;
  /** The Chebyshev bound above (not capped). */
  iterationsBound: number;
  /** min(bound, 2·dim) for CG (finite termination, delayed by rounding), the bound for SD; not capped. */
  iterationsLikely: number;
  /** The cap on iterations a column. */
  maxIterations: number;
  /** min(likely, cap): what each column is expected to run. */
  iterations: number;
  /** min(bound, cap): the most each column may run. */
  iterationsMax: number;
  /** True when the likely count is above the cap: the columns are expected to stop unconverged. */
  capped: boolean;
  /** Columns each worker solves (frc: every column on s+1 workers). */
  columnsPerWorker: number;
  /** Floating-point operations of the whole solve at the likely count, summed over the workers (every column s+1 times). */
  flops: number;
  /** Expected seconds (the likely count), when a rate was given. */
  seconds?: number;
  /** Seconds at the worst count (min(bound, cap)), when a rate was given. */
  secondsMax?: number;
  /** How the seconds were estimated (the rate, the parallelism). */
  basis?: string;
  formula: string;
}

export interface EstimateInputs {
  kind: InverseKind;
  /** A's rows and columns. */
  rows: number;
  cols: number;
  /** A's extreme singular values. */
  sigmaMax: number;
  sigmaMin: number;
  solver: ColumnSolverName;
  tol: number;
  maxIterations: number;
  workers: number;
  stragglers: number;
  /**
   * Flops per second of one worker's stacked product (a calibration: productRate), and how many
   * workers compute at once (local processes: min(workers, cores)).
   */
  rate?: { flopsPerSecond: number; parallel: number };
}

export const ESTIMATE_FORMULA = {
  cg: 'iterations a column ≤ ½·κ(M)·ln(4σmax(M)/ε) (CG on the normal equations, Chebyshev bound; M = A, or AᵀA for the pseudoinverse), likely min(that, 2·dim) (CG ends within dim steps in exact arithmetic; rounding about doubles it)',
  sd: 'iterations a column ≈ ½·κ(M)²·ln(4σmax(M)/ε) (steepest descent at the exact line search rate; backtracking is no faster; M = A, or AᵀA for the pseudoinverse)',
} as const;

export function estimateColumnSolves(o: EstimateInputs): SolveEstimate {
  const square = o.kind === 'pseudoinverse';
  const kappaA = o.sigmaMin > 0 ? o.sigmaMax / o.sigmaMin : Infinity;
  const kappaM = square ? kappaA * kappaA : kappaA;
  const sigmaMaxM = square ? o.sigmaMax * o.sigmaMax : o.sigmaMax;
  const contraction = o.solver === 'cg' ? kappaM : kappaM * kappaM;
  const log = Math.max(1, Math.log((4 * sigmaMaxM) / o.tol));
  const iterationsBound = Number.isFinite(contraction) ? Math.ceil(0.5 * contraction * log) : Infinity;
  // The matrix of the solves is dim×dim: A (n×n) or AᵀA (m×m).
  const dim = o.cols;
  const iterationsLikely = o.solver === 'cg' ? Math.min(iterationsBound, 2 * dim) : iterationsBound;
  const iterations = Math.min(iterationsLikely, o.maxIterations);
  const iterationsMax = Math.min(iterationsBound, o.maxIterations);
  const columnsPerWorker = Math.ceil((o.cols * (o.stragglers + 1)) / o.workers);
  // Two products with M a column an iteration; the pseudoinverse's answers are multiplied by A once.
  const flopsAt = (its: number): number => o.cols * (o.stragglers + 1) * (its * 4 * dim * dim + (square ? 2 * o.rows * dim : 0));
  const flops = flopsAt(iterations);
  const out: SolveEstimate = {
    kind: o.kind,
    solver: o.solver,
    kappaA,
    kappaM,
    sigmaMaxM,
    iterationsBound,
    iterationsLikely,
    maxIterations: o.maxIterations,
    iterations,
    iterationsMax,
    capped: iterationsLikely > o.maxIterations,
    columnsPerWorker,
    flops,
    formula: ESTIMATE_FORMULA[o.solver],
  };
  if (o.rate && o.rate.flopsPerSecond > 0) {
    const parallel = Math.max(1, Math.min(o.rate.parallel, o.workers));
    out.seconds = flops / (o.rate.flopsPerSecond * parallel);
    out.secondsMax = flopsAt(iterationsMax) / (o.rate.flopsPerSecond * parallel);
    out.basis = `${(o.rate.flopsPerSecond / 1e9).toFixed(1)} GFLOP/s a worker (measured), ${parallel} worker${parallel > 1 ? 's' : ''} computing at once`;
  }
  return out;
}

/** A's extreme singular values and κ₂ (LAPACK dgesdd without vectors, on `la`). */
export async function conditionOf(la: AsyncLinalg, A: Matrix): Promise<{ sigmaMax: number; sigmaMin: number; kappa: number }> {
  const { s } = await la.svd(A, { vectors: 'none' });
  const sigmaMax = s[0] ?? 0;
  const sigmaMin = s[s.length - 1] ?? 0;
  return { sigmaMax, sigmaMin, kappa: sigmaMin > 0 ? sigmaMax / sigmaMin : Infinity };
}

/**
 * Flops per second of the column solver's main product on this machine: M (dim×dim) times a
 * block of `width` vectors, the shape one iteration of a worker's stacked solve multiplies, timed
 * on `la` (the fastest call of at least two, repeated for about 20 ms so a small product is not
 * all overhead). A calibration of a few tens of milliseconds, not a benchmark.
 */
export async function productRate(la: AsyncLinalg, dim: number, width: number): Promise<number> {
  const k = Math.max(1, Math.min(width, 64, dim));
  const M: Matrix = { rows: dim, cols: dim, data: new Float64Array(dim * dim).fill(1 / dim) };
  const P: Matrix = { rows: dim, cols: k, data: new Float64Array(dim * k).fill(1) };
  let best = Infinity;
  const start = performance.now();
  for (let r = 0; r < 2 || (performance.now() - start < 20 && r < 50); r++) {
    const t0 = performance.now();
    await la.matMul(M, P);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return (2 * dim * dim * k) / Math.max(best, 1e-6);
}

/** Seconds as words: "42 s", "12 min", "3.4 h". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'forever';
  if (seconds < 0.1) return '< 0.1 s';
  if (seconds < 90) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(0)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** The estimate above which the message warns loudly. */
export const LONG_SOLVE_SECONDS = 3600;

/**
 * The lines a user reads before the solve starts: κ, iterations a column, the expected time and,
 * when it is hours or the cap will stop the columns unconverged, a warning with what to do.
 * `flags` names the options in the caller's words (the CLI's --max-iter, a job file's keys).
 */
export function describeEstimate(e: SolveEstimate, flags: { maxIter: string; tol: string } = { maxIter: '--max-iter', tol: '--tol' }): { lines: string[]; warning: boolean } {
  const kM = e.kind === 'pseudoinverse' ? `, κ(AᵀA) = ${fmt(e.kappaM)}` : '';
  const likely = e.iterationsLikely < e.iterationsBound ? `, likely about ${fmt(e.iterationsLikely)} (2·dim: CG ends within dim steps in exact arithmetic)` : '';
  const time =
    e.seconds !== undefined
      ? `; expected time about ${formatDuration(e.seconds)}${e.secondsMax !== undefined && formatDuration(e.secondsMax) !== formatDuration(e.seconds) ? `, up to ${formatDuration(e.secondsMax)} at the bound` : ''} (an estimate: ${e.basis})`
      : '';
  const lines = [
    `estimate: κ(A) = ${fmt(e.kappaA)}${kM}; ${e.solver.toUpperCase()} needs at most about ${fmt(e.iterationsBound)} iterations a column ` +
      `(½·κ${e.solver === 'sd' ? '²' : ''}·ln(4σmax/ε))${likely}, capped at ${e.maxIterations}; ${e.columnsPerWorker} columns a worker${time}`,
  ];
  const long = e.seconds !== undefined && e.seconds > LONG_SOLVE_SECONDS;
  if (long || e.capped) {
    const why = [
      long ? `the solve is expected to take about ${formatDuration(e.seconds!)}` : '',
      e.capped ? `the columns are expected to hit the iteration cap (${e.maxIterations}) before ‖∇f‖ ≤ ε, so the answer will not meet the tolerance` : '',
    ].filter(Boolean);
    // The cap that fits about an hour at the measured rate (the answer is then less accurate).
    const hour = e.seconds !== undefined && e.seconds > LONG_SOLVE_SECONDS ? Math.max(1, Math.floor((e.iterations * LONG_SOLVE_SECONDS) / e.seconds)) : undefined;
    lines.push(
      `WARNING: ${why.join('; and ')}. κ(A) = ${fmt(e.kappaA)} is large for ${e.solver === 'cg' ? 'CG' : 'steepest descent'} on the normal equations. ` +
        (hour !== undefined ? `To stop within about an hour, pass ${flags.maxIter} ${hour} (the columns then stop short of ε); ` : `Raise ${flags.maxIter}, or `) +
        `a looser ${flags.tol} helps a little (the count grows with ln(1/ε)); a better-conditioned A (preconditioned or regularized) helps most.`,
    );
  }
  return { lines, warning: long || e.capped };
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return '∞';
  return x >= 1e5 || x < 1e-2 ? x.toExponential(2) : x < 100 ? x.toFixed(2).replace(/\.?0+$/, '') : x.toFixed(0);
}
