import { performance } from 'node:perf_hooks';
import { InputError } from '../../shared/errors';
import { dot, norm2 } from '../../shared/kernels';
import { float64ToBytes } from '../../shared/tensor';
import type { ComputeCluster, PlacedPlan, RoundOutcome } from '../compute-cluster';
import { armijoOnGrid } from './line-search';
import { sqNorm, type LogisticModel } from './objective';
import { resumeLogistic, stopReason } from './newton';
import type { IterationRecord, LogisticRunOptions, LogisticRunResult } from './types';

/** Steps GIANT's line search tries, in one round: 1, 1/2, …, 2⁻¹⁵. */
export const GIANT_STEPS = Float64Array.from({ length: 16 }, (_, k) => 2 ** -k);

/**
 * GIANT (Wang et al. 2018), the paper's baseline: the data is split in K row blocks (labels with
 * them), and each iteration takes three rounds under the job's scheme (wait-all, ignore-stragglers
 * or frc; a slot may cover several blocks under frc):
 *   1. gradient: each block's Σ Xⱼᵀβⱼ and its loss → g = (1/n)Σ + λw, f;
 *   2. direction: each block's local Newton step Hⱼ⁻¹g, Hⱼ = (1/nⱼ)Xⱼᵀdiag(γⱼ)Xⱼ + λI → p = −mean;
 *   3. line search: each block's loss change at every step in GIANT_STEPS → Armijo's largest step.
 * The schemes' decoders sum (ignore-stragglers rescaled by K/q), so the mean is the decoded sum / K.
 */
export function giant(model: LogisticModel, cluster: ComputeCluster, placed: PlacedPlan, blocks: number, opts: LogisticRunOptions): Promise<LogisticRunResult> {
  return rowBlockLoop('giant', model, cluster, placed, blocks, opts);
}

/**
 * Gradient descent over the same row blocks (the paper's Fig. 7: each iteration the gradient and
 * a backtracking line search, each one round under the scheme; with ignore-stragglers at 95% both
 * are minibatch estimates, as the paper runs it). The steps tried are s₀, s₀/2, …, s₀/2¹⁵ in one
 * round, s₀ twice the last accepted step (1 at first).
 */
export function rowBlockGd(model: LogisticModel, cluster: ComputeCluster, placed: PlacedPlan, blocks: number, opts: LogisticRunOptions): Promise<LogisticRunResult> {
  return rowBlockLoop('gd', model, cluster, placed, blocks, opts);
}

async function rowBlockLoop(solver: 'giant' | 'gd', model: LogisticModel, cluster: ComputeCluster, placed: PlacedPlan, blocks: number, opts: LogisticRunOptions): Promise<LogisticRunResult> {
  const { n, d, lambda } = model;
  const from = resumeLogistic(opts, d);
  const { w, iterates, history, t0 } = from;
  let gdStep = from.gdStep;
  const tensor = (v: Float64Array) => ({ shape: [v.length], data: float64ToBytes(v) });
  // Work per block of each round, in n×d matvecs summed over the K blocks.
  const PASSES = { gradient: 1, direction: (d + 1) / 2 + 1, lineSearch: 2 };
  let { passes, stragglers, backups } = from;
  let stoppedBy: LogisticRunResult['stoppedBy'] = 'maxRounds';
  const fraction = (o: RoundOutcome): number => {
    // Fraction of the blocks whose answers were used (frc slots cover several blocks; count slots' share).
    const slots = placed.plan.slots;
    let used = 0;
    for (const s of o.decoded.used) used += slots[s]!.blocks.length;
    return used / blocks;
  };
  for (let t = from.next; ; t++) {
    const rounds: IterationRecord['rounds'] = [];
    const note = (purpose: string, o: RoundOutcome, work: number): void => {
      rounds.push({ purpose, seconds: o.seconds, stragglers: o.stragglers.length, backups: o.backupsLaunched, bytes: o.bytesSent + o.bytesReceived });
      stragglers += o.stragglers.length;
      backups += o.backupsLaunched;
      passes += work * fraction(o);
    };
    const gr = await cluster.round(placed, { kind: 'message', name: 'logisticGradient', fields: { logisticGradient: { w: tensor(w) } } });
    note('gradient', gr, PASSES.gradient);
    const sum = gr.decoded.value;
    if (sum.length !== d + 1) throw new InputError(`${solver}: gradient round decoded ${sum.length} values, expected ${d + 1}`);
    const g = Float64Array.from({ length: d }, (_, j) => sum[j]! / n + lambda * w[j]!);
    const f = sum[d]! / n + 0.5 * lambda * sqNorm(w);
    const gradNorm = norm2(g);
    const rec: IterationRecord = {
      iteration: t,
      seconds: (performance.now() - t0) / 1000,
      objective: f,
      gradNorm,
      trainError: NaN,
      step: 0,
      passes,
      rounds,
      ...(opts.resume && t === from.next ? { resumed: true as const } : {}),
    };
    history.push(rec);
    if (!Number.isFinite(gradNorm)) throw new InputError(`${solver}: the gradient is not finite at iteration ${t}`);
    const stop = stopReason(opts, f, gradNorm, t, rec.seconds);
    if (stop) {
      stoppedBy = stop;
      opts.onIteration?.(rec);
      break;
    }
    let p: Float64Array;
    if (solver === 'giant') {
      const dr = await cluster.round(placed, { kind: 'message', name: 'localNewton', fields: { localNewton: { w: tensor(w), g: tensor(g), lambda } } });
      note('local Newton directions', dr, PASSES.direction);
      p = Float64Array.from(dr.decoded.value, (v) => -v / blocks);
    } else {
      p = Float64Array.from(g, (v) => -v);
    }
    const steps = solver === 'giant' ? GIANT_STEPS : Float64Array.from(GIANT_STEPS, (s) => s * Math.min(2 * gdStep, 1e6));
    const ls = await cluster.round(placed, {
      kind: 'message',
      name: 'logisticLoss',
      fields: { logisticLoss: { w: tensor(w), p: tensor(p), steps: tensor(steps) } },
    });
    note('line search', ls, PASSES.lineSearch);
    const wp = dot(w, p);
    const pp = sqNorm(p);
    const changes = Float64Array.from(ls.decoded.value, (v, k) => v / n + lambda * (steps[k]! * wp + 0.5 * steps[k]! ** 2 * pp));
    const choice = armijoOnGrid(steps, changes, dot(g, p));
    if (!choice.accepted && gr.decoded.exact && ls.decoded.exact) {
      stoppedBy = 'stalled';
      opts.onIteration?.(rec);
      break;
    }
    // Minibatch estimates (ignore-stragglers) of the slope and the changes may disagree near the
    // optimum: then no step this iteration (w stays), the next draws other blocks, gd starts smaller.
    const step = choice.accepted ? choice.step : 0;
    if (solver === 'gd') gdStep = choice.accepted ? choice.step : steps[steps.length - 1]!;
    rec.step = step;
    rec.passes = passes;
    for (let j = 0; j < d; j++) w[j]! += step * p[j]!;
    iterates.push(Float64Array.from(w));
    opts.onIteration?.(rec);
    opts.checkpoint?.(
      t,
      () => ({ next: t + 1, w: Float64Array.from(w), gdStep, passes, stragglers, backups, seconds: (performance.now() - t0) / 1000 }),
      (k) => history.slice(k).map((record, i) => ({ record, w: iterates[k + i]! })),
    );
  }
  return { solver, w, iterates, history, iterations: history.length - 1, seconds: (performance.now() - t0) / 1000, stoppedBy, stragglersCutOff: stragglers, backupsLaunched: backups };
}
