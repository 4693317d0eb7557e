import { performance } from 'node:perf_hooks';
import { InputError } from '../../shared/errors';
import { dot, norm2 } from '../../shared/kernels';
import type { AsyncLinalg } from '../../shared/linalg';
import type { RoundOutcome } from '../compute-cluster';
import type { CodedProducts } from '../coded';
import type { HessianOracle } from './hessians';
import { armijoBacktracking } from './line-search';
import { atMargins, objectiveChange, type LogisticModel } from './objective';
import type { IterationRecord, LogisticRunOptions, LogisticRunResult, LogisticSolver } from './types';

/** The Newton solvers' step rule (job files: newton.step). */
export const NEWTON_STEPS = ['armijo', 'unit'] as const;
export type NewtonStep = (typeof NEWTON_STEPS)[number];

/**
 * Gradient descent, exact Newton and OverSketched Newton share one loop (Algorithm 1):
 *   β, γ from α = Xw (O(n) at the master) → g = (1/n)Xᵀβ + λw (coded) → direction p
 *   (−g, or −H⁻¹g with H exact or sketched, a d×d Cholesky at the master) → δ = Xp (coded) →
 *   Armijo line search on f(w + sp) − f(w), computed from α and δ at O(n) per trial step →
 *   w += sp, α += sδ.
 * So each iteration has two coded products (Xᵀβ and Xp; Xp also yields the next Xw, so no third
 * product is needed) plus the Hessian round. Newton tries s = 1 first and keeps it when Armijo
 * accepts it (newton.step: armijo), or always takes it (unit: Algorithm 1 as the paper runs it);
 * gradient descent starts from twice its last accepted step.
 */
export async function newtonFamily(
  solver: Exclude<LogisticSolver, 'giant'>,
  model: LogisticModel,
  coded: CodedProducts,
  hessian: HessianOracle | undefined,
  opts: LogisticRunOptions,
  /** The master's linear algebra (the Newton step's Cholesky solve, on its thread). */
  la: AsyncLinalg,
  /** The Newton solvers' step: armijo (the unit step when Armijo accepts it, else backtracking) or unit (Algorithm 1's w − H⁻¹∇f, always). */
  newtonStep: NewtonStep = 'armijo',
): Promise<LogisticRunResult> {
  const { n, d, lambda } = model;
  if (solver !== 'gd' && !hessian) throw new InputError(`${solver} needs a Hessian`);
  const from = resumeLogistic(opts, d);
  const { w, iterates, history } = from;
  const alpha = opts.resume?.state.alpha ? Float64Array.from(opts.resume.state.alpha) : new Float64Array(n); // X·w (X·0 at the start)
  if (alpha.length !== n) throw new InputError(`${solver}: the checkpoint's X·w has ${alpha.length} values, X has ${n} rows`);
  const t0 = from.t0;
  let { passes, gdStep, stragglers, backups } = from;
  let stoppedBy: LogisticRunResult['stoppedBy'] = 'maxRounds';
  for (let t = from.next; ; t++) {
    const rounds: IterationRecord['rounds'] = [];
    const note = (purpose: string, o: RoundOutcome): void => {
      rounds.push({ purpose, seconds: o.seconds, stragglers: o.stragglers.length, backups: o.backupsLaunched, bytes: o.bytesSent + o.bytesReceived });
      stragglers += o.stragglers.length;
      backups += o.backupsLaunched;
    };
    const at = atMargins(model, alpha, w);
    // The Hessian (exact or sketched) needs only w and X·w, like the gradient: its round runs
    // concurrently with the gradient's instead of after it.
    const hRound = solver === 'gd' ? undefined : hessian!(at.gamma, t);
    // If the gradient says stop, this round is not used; it must not become an unhandled rejection.
    hRound?.catch(() => undefined);
    const gx = await coded.timesXT(at.beta);
    note('gradient Xᵀβ', gx.outcome);
    passes += gx.passes;
    const g = Float64Array.from(gx.value, (v, j) => v / n + lambda * w[j]!);
    const gradNorm = norm2(g);
    const rec: IterationRecord = {
      iteration: t,
      seconds: (performance.now() - t0) / 1000,
      objective: at.f,
      gradNorm,
      trainError: at.trainError,
      step: 0,
      passes,
      rounds,
      ...(opts.resume && t === from.next ? { resumed: true as const } : {}),
    };
    history.push(rec);
    if (!Number.isFinite(gradNorm) || !Number.isFinite(at.f)) throw new InputError(`${solver}: the objective is not finite at iteration ${t}`);
    const stop = stopReason(opts, at.f, gradNorm, t, rec.seconds);
    if (stop) {
      stoppedBy = stop;
      opts.onIteration?.(rec);
      // Let the concurrent Hessian round finish so no task of this job is still out at release.
      await hRound?.catch(() => undefined);
      break;
    }
    let p: Float64Array;
    if (solver === 'gd') {
      p = Float64Array.from(g, (v) => -v);
    } else {
      const h = await hRound!;
      note(solver === 'newton' ? 'exact Hessian' : 'sketched Hessian', h.outcome);
      passes += h.passes;
      p = (await la.solveSpd({ rows: d, cols: d, data: h.H }, g)).x.data;
      for (let j = 0; j < d; j++) p[j] = -p[j]!;
    }
    const dx = await coded.timesX(p);
    note('line search Xp', dx.outcome);
    passes += dx.passes;
    const slope = dot(g, p);
    const s0 = solver === 'gd' ? Math.min(2 * gdStep, 1e6) : 1;
    // Algorithm 1's update takes the unit step whatever it does to f (the paper's runs).
    const choice = solver !== 'gd' && newtonStep === 'unit' ? { step: 1, accepted: slope < 0 } : armijoBacktracking((s) => objectiveChange(model, alpha, dx.value, w, p, s), slope, s0);
    if (!choice.accepted) {
      // No decrease measurable even in exact change arithmetic: w is as good as it gets.
      stoppedBy = 'stalled';
      opts.onIteration?.(rec);
      break;
    }
    if (solver === 'gd') gdStep = choice.step;
    rec.step = choice.step;
    rec.passes = passes;
    for (let j = 0; j < d; j++) w[j]! += choice.step * p[j]!;
    for (let i = 0; i < n; i++) alpha[i]! += choice.step * dx.value[i]!;
    iterates.push(Float64Array.from(w));
    opts.onIteration?.(rec);
    opts.checkpoint?.(
      t,
      () => ({ next: t + 1, w: Float64Array.from(w), alpha: Float64Array.from(alpha), gdStep, passes, stragglers, backups, seconds: (performance.now() - t0) / 1000 }),
      (k) => history.slice(k).map((record, i) => ({ record, w: iterates[k + i]! })),
    );
  }
  return {
    solver,
    w,
    iterates,
    history,
    iterations: history.length - 1,
    seconds: (performance.now() - t0) / 1000,
    stoppedBy,
    stragglersCutOff: stragglers,
    backupsLaunched: backups,
  };
}

/**
 * Where a logistic solver starts: w = 0 at iteration 0, or a checkpoint's iterate, counters and
 * history (iterates w₀ … w_next: the history's and the state's own).
 */
export function resumeLogistic(opts: LogisticRunOptions, d: number) {
  const r = opts.resume;
  const w = r ? Float64Array.from(r.state.w) : new Float64Array(d);
  if (w.length !== d) throw new InputError(`the checkpoint's iterate has ${w.length} values, the data ${d} columns`);
  return {
    w,
    next: r?.state.next ?? 0,
    history: r ? r.history.map((e) => e.record) : ([] as IterationRecord[]),
    iterates: r ? [...r.history.map((e) => e.w), Float64Array.from(w)] : [Float64Array.from(w)],
    // The clock goes on from the checkpoint's seconds (the outage is not the run's).
    t0: performance.now() - (r?.state.seconds ?? 0) * 1000,
    passes: r?.state.passes ?? 0,
    gdStep: r?.state.gdStep ?? 1,
    stragglers: r?.state.stragglers ?? 0,
    backups: r?.state.backups ?? 0,
  };
}

/** Why to stop at an iterate (checked before spending rounds on its step), or undefined. */
export function stopReason(opts: LogisticRunOptions, f: number, gradNorm: number, t: number, seconds: number): LogisticRunResult['stoppedBy'] | undefined {
  if (gradNorm <= opts.stop.gradNorm) return 'gradNorm';
  if (opts.stop.objective !== undefined && f <= opts.stop.objective) return 'objective';
  if (t >= opts.stop.maxRounds) return 'maxRounds';
  if (seconds >= opts.stop.timeLimit) return 'timeLimit';
  if (opts.signal?.aborted) return 'signal';
  return undefined;
}
