import { performance } from 'node:perf_hooks';
import { InputError } from '../shared/errors';
import { dot, norm2 } from '../shared/kernels';
import type { AsyncLinalg } from '../shared/linalg';
import type { Matrix } from '../shared/tensor';
import type { ComputeCluster, PlacedPlan, RoundOutcome } from './compute-cluster';
import { largestEigenvalue } from './direct';
import { DEFAULT_HISTORY_CAP, ThinnedHistory } from './thinned-history';

/** One round of steepest descent, as onRound hears it. */
export interface LsRoundInfo {
  round: number;
  seconds: number;
  relGradient: number;
  step: number;
  outcome: RoundOutcome;
  /** The round as the history records it (what a history file gets, line by line). */
  point: LsHistoryPoint;
}

/**
 * Where the gradient comes from each iteration: one decoded round of partial gradients (most
 * schemes), or two coded matrix-vector products (mds). `rounds` lists the rounds it took.
 */
export interface GradientOracle {
  gradient(x: Float64Array): Promise<{ g: Float64Array; rounds: RoundOutcome[] }>;
}

/** The usual oracle: one round of Σ w·Aₛᵀ(Aₛx − bₛ) over the placed plan's slots. */
export function roundGradient(cluster: ComputeCluster, placed: PlacedPlan): GradientOracle {
  return {
    async gradient(x) {
      const outcome = await cluster.round(placed, { kind: 'lsGradient', x });
      return { g: outcome.decoded.value, rounds: [outcome] };
    },
  };
}

/** line-search: exact step along the direction; inverse-lipschitz: 1/σ_max(A)²; a number: fixed. */
export type StepRule = 'line-search' | 'inverse-lipschitz' | number;

/** When steepest descent stops (job files: `stop:` of least-squares). */
export interface LsStop {
  /** The relative gradient norm ‖∇f(x)‖/‖∇f(0)‖ at which to stop. */
  tol: number;
  maxRounds: number;
  /** Seconds of iterations. */
  timeLimit: number;
}

export interface LsOptions {
  step: StepRule;
  stop: LsStop;
  onRound?: (info: LsRoundInfo) => void;
  signal?: AbortSignal;
  /**
   * A known solution x* (from a direct solve): the history records ‖x − x*‖/‖x*‖ per round, and
   * the run stops once it is at most `target` (experiments timing "time to an error").
   */
  reference?: { x: Float64Array; target?: number };
  /**
   * Rounds kept in memory (LsResult.history): all of a run up to this many, then a uniform
   * sample (ThinnedHistory). Every round still reaches onRound. Default DEFAULT_HISTORY_CAP.
   */
  historyCap?: number;
  /** Go on from a checkpoint (its state and every round's record up to it) instead of x = 0. */
  resume?: { state: LsState; history: readonly LsHistoryPoint[] };
  /**
   * Offered the state after every iteration with that round's record: a job's checkpointer
   * appends the record to its history log and saves the state when one is due.
   */
  checkpoint?: (round: number, state: () => LsState, point: LsHistoryPoint) => void;
}

/**
 * Everything steepest descent needs to go on from round `round` exactly as if it had not stopped:
 * the iterate, the elapsed seconds and the counters. The step rules keep no state (the exact line
 * search and 1/σmax² depend on G only) and the loop draws nothing random.
 */
export interface LsState {
  round: number;
  x: Float64Array;
  seconds: number;
  relGradient: number;
  stragglersCutOff: number;
  backupsLaunched: number;
  slotsMoved: number;
  taskBytes: { sent: number; received: number };
  best?: { relError: number; seconds: number; round: number } | undefined;
}

export interface LsHistoryPoint {
  round: number;
  seconds: number;
  relGradient: number;
  roundSeconds: number;
  stragglers: number[];
  /** Per-worker answer latency this round, seconds from the round's start (the report's latency plots). */
  arrivals: { worker: number; seconds: number }[];
  /** ‖x − x*‖/‖x*‖ when a reference was given. */
  relError?: number;
  /** Set on the first round after a master restart resumed the run from a checkpoint. */
  resumed?: true;
}

export interface LsResult {
  x: Float64Array;
  rounds: number;
  seconds: number;
  relGradient: number;
  stoppedBy: 'tol' | 'target' | 'maxRounds' | 'timeLimit' | 'signal';
  /** Best ‖x − x*‖/‖x*‖ reached, and when (seconds, round), when a reference was given. */
  best?: { relError: number; seconds: number; round: number };
  /** Every round of a run up to historyCap rounds; beyond, every `historyEvery`-th (1, 1 + k, ...). */
  history: LsHistoryPoint[];
  historyEvery: number;
  /** Rounds in which a straggler was cut off. */
  roundsWithStragglers: number;
  stragglersCutOff: number;
  backupsLaunched: number;
  slotsMoved: number;
  /** Task payload bytes sent to and received from the workers over the run. */
  taskBytes: { sent: number; received: number };
  stepRule: string;
}

/** The master keeps G = AᵀA (d×d) for line search and monitoring: d is capped. */
export const MAX_MONITORED_COLUMNS = 4096;

/** What the master keeps of A for line search and monitoring. */
export interface NormalEquations {
  /** AᵀA, d×d row-major. */
  G: Float64Array;
  /** Aᵀb. */
  c: Float64Array;
  /** λ_max(G) = σ_max(A)² (for the 1/σmax² step), computed on first use. */
  largestEigenvalue(): Promise<number>;
}

/** G = AᵀA and c = Aᵀb, formed once at the master, on its linear-algebra thread. */
export async function normalEquations(la: AsyncLinalg, A: Matrix, b: Float64Array): Promise<NormalEquations> {
  if (A.cols > MAX_MONITORED_COLUMNS) throw new InputError(`least squares: ${A.cols} columns is beyond the master's d×d monitoring (max ${MAX_MONITORED_COLUMNS})`);
  const G = (await la.gram(A)).data;
  const c = (await la.matMul(A, { rows: b.length, cols: 1, data: b }, { transA: true })).data;
  let lambdaMax: Promise<number> | undefined;
  return { G, c, largestEigenvalue: () => (lambdaMax ??= largestEigenvalue(la, G, A.cols)) };
}

function symMatVec(G: Float64Array, d: number, v: Float64Array, out: Float64Array): Float64Array {
  for (let i = 0; i < d; i++) {
    let s = 0;
    const o = i * d;
    for (let j = 0; j < d; j++) s += G[o + j]! * v[j]!;
    out[i] = s;
  }
  return out;
}

/**
 * Steepest descent for f(x) = ½‖Ax − b‖², the gradient Σᵢ Aᵢᵀ(Aᵢx − bᵢ) computed on the workers
 * each round under the placed scheme (exact or estimated, as the scheme decodes it).
 *
 * The master also keeps G = AᵀA and c = Aᵀb (d×d and d, formed once): they give the exact line
 * search step along a direction and the true gradient Gx − c for monitoring and stopping at
 * O(d²) per round, so approximate schemes are judged by the true error, not their own estimate.
 */
export async function steepestDescent(
  oracle: GradientOracle,
  normal: NormalEquations,
  opts: LsOptions,
): Promise<LsResult> {
  const { G, c } = normal;
  const d = c.length;
  const x = new Float64Array(d);
  const Gd = new Float64Array(d);
  const g = new Float64Array(d);
  const cNorm = norm2(c) || 1;
  let fixedStep: number | undefined;
  let stepRule: string;
  if (typeof opts.step === 'number') {
    fixedStep = opts.step;
    stepRule = `fixed ${opts.step}`;
  } else if (opts.step === 'inverse-lipschitz') {
    fixedStep = 1 / (await normal.largestEigenvalue());
    stepRule = `1/σmax(A)² = ${fixedStep.toExponential(3)}`;
  } else {
    stepRule = 'exact line search';
  }
  const resume = opts.resume?.state;
  // The in-memory history is a thinned sample; a resumed run rebuilds it from every round's
  // record (the thinning depends on the rounds only, so it is the sample an uninterrupted run keeps).
  const history = new ThinnedHistory<LsHistoryPoint>(opts.historyCap ?? DEFAULT_HISTORY_CAP);
  let roundsWithStragglers = 0;
  for (const p of opts.resume?.history ?? []) {
    history.push(p);
    if (p.stragglers.length > 0) roundsWithStragglers++;
  }
  const lastRestored = opts.resume?.history[opts.resume.history.length - 1];
  const refNorm = opts.reference ? norm2(opts.reference.x) || 1 : 1;
  let best: LsResult['best'] = resume?.best;
  // A resumed run's clock goes on from the checkpoint's seconds (the outage is not the run's).
  const t0 = performance.now() - (resume?.seconds ?? 0) * 1000;
  let rel = resume?.relGradient ?? 1;
  let stoppedBy: LsResult['stoppedBy'] = 'maxRounds';
  let stragglersCutOff = resume?.stragglersCutOff ?? 0;
  let backups = resume?.backupsLaunched ?? 0;
  let moved = resume?.slotsMoved ?? 0;
  let rounds = resume?.round ?? 0;
  const taskBytes = { ...(resume?.taskBytes ?? { sent: 0, received: 0 }) };
  if (resume) x.set(resume.x);
  const stopAt = (relError: number | undefined, seconds: number): LsResult['stoppedBy'] | undefined => {
    if (rel <= opts.stop.tol) return 'tol';
    if (relError !== undefined && opts.reference?.target !== undefined && relError <= opts.reference.target) return 'target';
    if (seconds >= opts.stop.timeLimit) return 'timeLimit';
    return undefined;
  };
  const state = (): LsState => ({ round: rounds, x: Float64Array.from(x), seconds: (performance.now() - t0) / 1000, relGradient: rel, stragglersCutOff, backupsLaunched: backups, slotsMoved: moved, taskBytes: { ...taskBytes }, best });
  // A checkpoint taken after the last round (the crash came before the result was kept) is done.
  const doneBefore = resume && resume.round > 0 ? stopAt(lastRestored?.relError, resume.seconds) : undefined;
  if (doneBefore) stoppedBy = doneBefore;
  // ∇f at the starting point (0, or the checkpoint's iterate); after each step it is the monitored gradient.
  symMatVec(G, d, x, g);
  for (let i = 0; i < d; i++) g[i]! -= c[i]!;
  for (let r = rounds + 1; !doneBefore && r <= opts.stop.maxRounds; r++) {
    if (opts.signal?.aborted) {
      stoppedBy = 'signal';
      break;
    }
    const { g: dir, rounds: outcomes } = await oracle.gradient(x);
    const outcome = outcomes[outcomes.length - 1]!;
    rounds = r;
    let alpha: number;
    if (fixedStep !== undefined) alpha = fixedStep;
    else {
      // The exact minimizer of f along the direction: α = dᵀ∇f(x) / dᵀGd, with ∇f(x) = Gx − c from
      // the master's G (g holds it: monitored after every step). dᵀd/dᵀGd (Cauchy's step) is the
      // same only when the direction is the exact gradient: for an approximate one (first q
      // answers, leverage's rescaled blocks) it overshoots whenever ‖d‖ > ‖∇f‖ along d, and can diverge.
      const curv = dot(dir, symMatVec(G, d, dir, Gd));
      alpha = curv > 0 ? dot(dir, g) / curv : 0;
    }
    for (let i = 0; i < d; i++) x[i]! -= alpha * dir[i]!;
    symMatVec(G, d, x, g);
    for (let i = 0; i < d; i++) g[i]! -= c[i]!;
    rel = norm2(g) / cNorm;
    if (!Number.isFinite(rel)) throw new InputError(`least squares diverged at round ${r} (step rule: ${stepRule}); use a smaller step`);
    const seconds = (performance.now() - t0) / 1000;
    let relError: number | undefined;
    if (opts.reference) {
      let e = 0;
      for (let i = 0; i < d; i++) e += (x[i]! - opts.reference.x[i]!) ** 2;
      relError = Math.sqrt(e) / refNorm;
      if (!best || relError < best.relError) best = { relError, seconds, round: r };
    }
    let roundSeconds = 0;
    const stragglers: number[] = [];
    const arrivals: { worker: number; seconds: number }[] = [];
    for (const o of outcomes) {
      stragglersCutOff += o.stragglers.length;
      backups += o.backupsLaunched;
      moved += o.slotsMoved;
      taskBytes.sent += o.bytesSent;
      taskBytes.received += o.bytesReceived;
      // Arrival times of a later round of the same iteration count from the iteration's start.
      for (const a of o.arrivals) arrivals.push({ worker: a.worker, seconds: roundSeconds + a.seconds });
      for (const st of o.stragglers) stragglers.push(st.worker);
      roundSeconds += o.seconds;
    }
    const resumedHere = resume && r === resume.round + 1 ? { resumed: true as const } : {};
    const point: LsHistoryPoint = { round: r, seconds, relGradient: rel, roundSeconds, stragglers, arrivals, ...(relError !== undefined ? { relError } : {}), ...resumedHere };
    history.push(point);
    if (stragglers.length > 0) roundsWithStragglers++;
    opts.onRound?.({ round: r, seconds, relGradient: rel, step: alpha, outcome, point });
    opts.checkpoint?.(r, state, point);
    const stop = stopAt(relError, seconds);
    if (stop) {
      stoppedBy = stop;
      break;
    }
  }
  return {
    x,
    rounds,
    seconds: (performance.now() - t0) / 1000,
    relGradient: rel,
    stoppedBy,
    history: [...history.kept],
    historyEvery: history.every,
    roundsWithStragglers,
    stragglersCutOff,
    backupsLaunched: backups,
    slotsMoved: moved,
    taskBytes,
    stepRule,
    ...(best ? { best } : {}),
  };
}
