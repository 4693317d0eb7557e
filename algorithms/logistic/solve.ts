import type { SchemeSpec } from '../../shared/config';
import { InputError } from '../../shared/errors';
import { Rng } from '../../shared/random';
import type { Matrix } from '../../shared/tensor';
import { evenBlockStarts } from '../../core/schemes/placement';
import { planAndPlace } from '../plan-and-place';
import type { ComputeCluster, PlacedPlan } from '../compute-cluster';
import { chooseAs, chooseScheme, oversketch, registeredSchemes, sketchRowBlocks, type OversketchShape, type RegisteredScheme, type SchemeChoice } from '../../core/schemes';
import { CodedProducts } from '../coded';
import { giant } from './giant';
import { exactHessian, sketchedHessian, type HessianOracle } from './hessians';
import { newtonFamily } from './newton';
import type { LogisticRunOptions, LogisticRunResult, LogisticSolver } from './types';

type Capabilities = Pick<RegisteredScheme, 'gradient' | 'approximate' | 'stores' | 'multiBlockSlots'>;

/**
 * What each use asks of a scheme (its declared capabilities, types.ts), and the scheme a job gets
 * when it names none:
 * - GIANT's gradient: each block's own gradient, local Newton step and loss, summed: additive over
 *   plain (unscaled, uncoded) blocks, an estimate allowed (rescaled by K/q);
 * - gd / newton / oversketched-newton's gradient: X·v and Xᵀ·u as coded products;
 * - newton's exact Hessian: Σⱼ Xⱼᵀdiag(γⱼ)Xⱼ, each slot one plain block with its own γ, exact.
 */
const USES = {
  giant: { default: 'wait-all', fits: (s: Capabilities) => s.gradient === 'additive' && s.stores === 'plain' },
  coded: { default: 'mds', fits: (s: Capabilities) => s.gradient === 'coded' },
  hessian: { default: 'speculative', fits: (s: Capabilities) => s.gradient === 'additive' && s.stores === 'plain' && !s.approximate && !s.multiBlockSlots },
} as const;

/** The registered schemes fit for a use, its default first. */
export function schemesFor(use: keyof typeof USES): string[] {
  const { default: first, fits } = USES[use];
  const names = registeredSchemes()
    .filter(fits)
    .map((s) => s.name);
  return names.includes(first) ? [first, ...names.filter((n) => n !== first)] : names;
}

/** The sketch's size and shape (job files: `sketch:`; see master/jobs/logistic-regression/schema.ts). */
export interface SketchOptions {
  /** m = factor·d, unless size is given. */
  factor: number;
  size?: number | undefined;
  /** N: sketch blocks used per iteration. */
  blocks?: number | undefined;
  /** e: extra sketch blocks launched. */
  extra?: number | undefined;
  /** R: row blocks of X. */
  rowBlocks?: number | undefined;
}

export interface LogisticSolveSpec {
  solver: LogisticSolver;
  lambda: number;
  /** Gradient scheme (default: mds, or wait-all for giant). */
  scheme?: SchemeSpec;
  /** Data blocks of the gradient scheme (default: the scheme's choice for the workers). */
  blocks?: number;
  sketch: SketchOptions;
  hessianScheme: SchemeSpec;
  /** Row blocks (tasks) of the exact Hessian (default: the Hessian scheme's choice, one per worker). */
  hessianBlocks?: number;
  seed: number;
}

export interface LogisticSolveOutcome {
  run: LogisticRunResult;
  schemes: Record<string, unknown>;
  bytesPlaced: number;
}

/**
 * N (used) and e (extra) sketch blocks, the width b and the row blocks R of X, from the job's
 * sketch keys and the workers (R: the most for which one slow worker costs at most e blocks).
 */
export function resolveSketchShape(sketch: LogisticSolveSpec['sketch'], workers: number, d: number): Required<OversketchShape> {
  const extra = sketch.extra ?? (workers > 1 ? Math.max(1, Math.floor(workers / 4)) : 0);
  const blocks = sketch.blocks ?? Math.max(1, workers - extra);
  const m = sketch.size ?? Math.ceil(sketch.factor * d);
  const rowBlocks = sketch.rowBlocks ?? sketchRowBlocks(workers, blocks, extra);
  if (rowBlocks > workers) throw new InputError(`logistic-regression: sketch.rowBlocks = ${rowBlocks} needs at least as many workers; there are ${workers}`);
  return { blocks, extra, width: Math.max(1, Math.ceil(m / blocks)), rowBlocks };
}

/** What a logistic solve places, resolved and checked against W workers before anything starts. */
export interface LogisticLayout {
  /** The gradient's scheme (mds, or GIANT's row-block scheme) and its K blocks. */
  gradient: SchemeChoice;
  blocks: number;
  /** newton: the exact Hessian's scheme and row blocks. */
  hessian?: { choice: SchemeChoice; blocks: number };
  /** oversketched-newton: the sketch's shape. */
  sketch?: Required<OversketchShape>;
}

/**
 * The solver's schemes and shapes for W workers and X of n×d, every rule checked: the gradient
 * scheme a solver takes, each scheme's own parameters against W, the coded blocks against d, the
 * Hessian's scheme and blocks, the sketch's row blocks against W. Runs before any worker starts
 * (checkJob) and again when the solve places its blocks.
 */
export function logisticLayout(spec: Omit<LogisticSolveSpec, 'lambda' | 'seed'>, W: number, n: number, d: number): LogisticLayout {
  const { solver } = spec;
  const use = solver === 'giant' ? 'giant' : 'coded';
  const schemeSpec = spec.scheme ?? { name: USES[use].default };
  const allowed = schemesFor(use);
  if (!allowed.includes(schemeSpec.name)) {
    throw new InputError(`logistic-regression: solver ${solver} takes scheme ${allowed.join(', ')} for its gradient, not '${schemeSpec.name}'`);
  }
  const gradient = chooseScheme(schemeSpec);
  const blocks = spec.blocks ?? gradient.defaultBlocks(W);
  if (solver === 'giant') {
    if (blocks > n) throw new InputError(`logistic-regression: ${blocks} row blocks but only ${n} rows`);
    gradient.check({ workers: W, blocks, rows: n });
    return { gradient, blocks };
  }
  gradient.check({ workers: W, blocks, rows: d });
  if (blocks > d) throw new InputError(`coded products: ${blocks} coded blocks but only ${d} columns; use fewer blocks (the job's blocks key or the scheme's k)`);
  if (solver === 'newton') {
    const hessianSchemes = schemesFor('hessian');
    if (!hessianSchemes.includes(spec.hessianScheme.name)) {
      throw new InputError(`logistic-regression: hessian.scheme must be one of ${hessianSchemes.join(', ')}, not '${spec.hessianScheme.name}'`);
    }
    const choice = chooseScheme(spec.hessianScheme);
    const hBlocks = spec.hessianBlocks ?? choice.defaultBlocks(W);
    if (hBlocks > n) throw new InputError(`logistic-regression: hessian.blocks = ${hBlocks} but only ${n} rows`);
    choice.check({ workers: W, blocks: hBlocks, rows: n });
    return { gradient, blocks, hessian: { choice, blocks: hBlocks } };
  }
  if (solver === 'oversketched-newton') return { gradient, blocks, sketch: resolveSketchShape(spec.sketch, W, d) };
  return { gradient, blocks };
}

function rowBlocks(n: number, K: number): { blockStarts: number[] } {
  return { blockStarts: evenBlockStarts(n, K) };
}

/**
 * Places what the solver needs on the cluster's live workers, runs it, releases the blocks:
 *   gd, newton, oversketched-newton: X and Xᵀ under mds (the gradient), plus for newton X's row
 *     blocks under the Hessian scheme, for oversketched-newton X's R row blocks, one per worker
 *     of each sketch group (core/schemes/oversketch.ts);
 *   giant: X's row blocks with labels under its scheme (schemesFor('giant')).
 */
export async function solveLogistic(cluster: ComputeCluster, jobId: string, X: Matrix, y: Float64Array, spec: LogisticSolveSpec, opts: LogisticRunOptions): Promise<LogisticSolveOutcome> {
  const n = X.rows;
  const d = X.cols;
  const model = { y, n, d, lambda: spec.lambda };
  const W = cluster.liveWorkers().length;
  const { solver } = spec;
  const layout = logisticLayout(spec, W, n, d);
  const { gradient, blocks: K } = layout;
  const placed: PlacedPlan[] = [];
  const schemes: Record<string, unknown> = {};
  let coded: CodedProducts | undefined;
  try {
    if (solver === 'giant') {
      const { blockStarts } = rowBlocks(n, K);
      const { plan, placed: p } = await planAndPlace(cluster, gradient, { jobId: `${jobId}-giant`, A: X, b: y, blockStarts, rng: new Rng(spec.seed) });
      placed.push(p);
      schemes.gradient = { name: plan.scheme, ...gradient.params, ...plan.describe() };
      const run = await giant(model, cluster, p, K, opts);
      return { run, schemes, bytesPlaced: p.bytesPlaced };
    }
    coded = await CodedProducts.place(cluster, jobId, X, gradient, K, spec.seed);
    schemes.gradient = { name: 'mds', ...gradient.params, X: coded.xPlaced.plan.describe(), XT: coded.xtPlaced.plan.describe() };
    let hessian: HessianOracle | undefined;
    if (layout.hessian) {
      const hs = layout.hessian;
      const { blockStarts } = rowBlocks(n, hs.blocks);
      const { plan, placed: p } = await planAndPlace(cluster, hs.choice, { jobId: `${jobId}-hessian`, A: X, blockStarts, rng: new Rng(spec.seed + 1) });
      placed.push(p);
      schemes.hessian = { name: plan.scheme, ...hs.choice.params, ...plan.describe() };
      hessian = exactHessian(cluster, p, blockStarts, n, d, spec.lambda);
    } else if (layout.sketch) {
      const shape = layout.sketch;
      const { blockStarts } = rowBlocks(n, shape.rowBlocks);
      const sketch = chooseAs(oversketch, { blocks: shape.blocks, extra: shape.extra, width: shape.width });
      const { plan, placed: p } = await planAndPlace(cluster, sketch, { jobId: `${jobId}-sketch`, A: X, blockStarts, rng: new Rng(spec.seed + 2) });
      placed.push(p);
      schemes.hessian = { name: 'oversketch', ...plan.describe(), bytesPlaced: p.bytesPlaced };
      hessian = sketchedHessian(cluster, p, shape, blockStarts, n, d, spec.lambda, spec.seed);
    }
    const run = await newtonFamily(solver, model, coded, hessian, opts, await cluster.linalg());
    return { run, schemes, bytesPlaced: coded.bytesPlaced() + placed.reduce((s, p) => s + p.bytesPlaced, 0) };
  } finally {
    await Promise.all([coded?.release(), ...placed.map((p) => cluster.release(p))]);
  }
}
