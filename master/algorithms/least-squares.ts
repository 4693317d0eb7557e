import { performance } from 'node:perf_hooks';
import type { StepSpec, StopSpec } from '../../shared/config';
import { InputError } from '../../shared/errors';
import { dot, gram, matTVec, norm2 } from '../../shared/kernels';
import type { Matrix } from '../../shared/tensor';
import type { ComputeCluster, PlacedPlan, RoundOutcome } from '../cluster/types';
import { largestEigenvalue } from './direct';

/**
 * Steepest descent for f(x) = ½‖Ax − b‖², the gradient Σᵢ Aᵢᵀ(Aᵢx − bᵢ) computed on the workers
 * each round under the placed scheme (exact or estimated, as the scheme decodes it).
 *
 * The master also keeps G = AᵀA and c = Aᵀb (d×d and d, formed once): they give the exact line
 * search step along a direction and the true gradient Gx − c for monitoring and stopping at
 * O(d²) per round, so approximate schemes are judged by the true error, not their own estimate.
 */
export interface LsRoundInfo {
  round: number;
  seconds: number;
  relGradient: number;
  step: number;
  outcome: RoundOutcome;
}

export interface LsOptions {
  step: StepSpec;
  stop: StopSpec;
  onRound?: (info: LsRoundInfo) => void;
  signal?: AbortSignal;
}

export interface LsHistoryPoint {
  round: number;
  seconds: number;
  relGradient: number;
  roundSeconds: number;
  stragglers: number[];
  /** Per-worker answer latency this round, seconds from the round's start (the report's latency plots). */
  arrivals: { worker: number; seconds: number }[];
}

export interface LsResult {
  x: Float64Array;
  rounds: number;
  seconds: number;
  relGradient: number;
  stoppedBy: 'tol' | 'maxRounds' | 'timeLimit' | 'signal';
  history: LsHistoryPoint[];
  stragglersCutOff: number;
  backupsLaunched: number;
  slotsMoved: number;
  stepRule: string;
}

/** G = AᵀA and c = Aᵀb, formed once at the master. */
export function normalEquations(A: Matrix, b: Float64Array): { G: Float64Array; c: Float64Array } {
  if (A.cols > 4096) throw new InputError(`least squares: ${A.cols} columns is beyond the master's d×d monitoring (max 4096)`);
  return { G: gram(A, undefined, new Float64Array(A.cols * A.cols)), c: matTVec(A, b, new Float64Array(A.cols)) };
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

export async function steepestDescent(
  cluster: ComputeCluster,
  placed: PlacedPlan,
  normal: { G: Float64Array; c: Float64Array },
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
    fixedStep = 1 / largestEigenvalue(G, d);
    stepRule = `1/σmax(A)² = ${fixedStep.toExponential(3)}`;
  } else {
    stepRule = 'exact line search';
  }
  const history: LsHistoryPoint[] = [];
  const t0 = performance.now();
  let rel = 1;
  let stoppedBy: LsResult['stoppedBy'] = 'maxRounds';
  let stragglersCutOff = 0;
  let backups = 0;
  let moved = 0;
  let rounds = 0;
  for (let r = 1; r <= opts.stop.maxRounds; r++) {
    if (opts.signal?.aborted) {
      stoppedBy = 'signal';
      break;
    }
    const outcome = await cluster.round(placed, { kind: 'lsGradient', x });
    rounds = r;
    const dir = outcome.decoded.value;
    let alpha: number;
    if (fixedStep !== undefined) alpha = fixedStep;
    else {
      const curv = dot(dir, symMatVec(G, d, dir, Gd));
      alpha = curv > 0 ? dot(dir, dir) / curv : 0;
    }
    for (let i = 0; i < d; i++) x[i]! -= alpha * dir[i]!;
    symMatVec(G, d, x, g);
    for (let i = 0; i < d; i++) g[i]! -= c[i]!;
    rel = norm2(g) / cNorm;
    if (!Number.isFinite(rel)) throw new InputError(`least squares diverged at round ${r} (step rule: ${stepRule}); use a smaller step`);
    const seconds = (performance.now() - t0) / 1000;
    stragglersCutOff += outcome.stragglers.length;
    backups += outcome.backupsLaunched;
    moved += outcome.slotsMoved;
    history.push({ round: r, seconds, relGradient: rel, roundSeconds: outcome.seconds, stragglers: outcome.stragglers.map((s) => s.worker), arrivals: outcome.arrivals.map((a) => ({ worker: a.worker, seconds: a.seconds })) });
    opts.onRound?.({ round: r, seconds, relGradient: rel, step: alpha, outcome });
    if (rel <= opts.stop.tol) {
      stoppedBy = 'tol';
      break;
    }
    if (seconds >= opts.stop.timeLimit) {
      stoppedBy = 'timeLimit';
      break;
    }
  }
  return {
    x,
    rounds,
    seconds: (performance.now() - t0) / 1000,
    relGradient: rel,
    stoppedBy,
    history,
    stragglersCutOff,
    backupsLaunched: backups,
    slotsMoved: moved,
    stepRule,
  };
}
