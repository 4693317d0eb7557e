import type { SchemeSpec } from '../../shared/config';
import { InputError } from '../../shared/errors';
import { Rng } from '../../shared/random';
import type { Matrix } from '../../shared/tensor';
import { evenBlockStarts } from '../../core/schemes/placement';
import { firstWorkers, planAndPlace, placePlan } from '../plan-and-place';
import { logisticReference } from '../../core/runtime';
import type { ComputeCluster, PlacedPlan } from '../compute-cluster';
import { chooseScheme, type SchemeChoice } from '../../core/schemes';
import { CodedProducts } from '../coded';
import { giant, rowBlockGd } from './giant';
import { exactHessian, sketchedHessian, type HessianOracle } from './hessians';
import { newtonFamily, type NewtonStep } from './newton';
import { oversketchPlan, sketchRowBlocks, type OversketchShape } from './oversketch-plan';
import type { LogisticRunOptions, LogisticRunResult, LogisticSolver } from './types';

export const GIANT_SCHEMES = ['wait-all', 'ignore-stragglers', 'frc'] as const;
export const HESSIAN_SCHEMES = ['speculative', 'wait-all'] as const;
/** The gradient's schemes for the Newton family: coded products, or uncoded ones stacked (the paper's Fig. 6 baseline). */
export const PRODUCT_SCHEMES = ['product-code', 'mds', 'speculative', 'wait-all'] as const;
/** Gradient descent over row blocks (GIANT's gradient and line-search rounds): the paper's Fig. 7. */
export const ROW_BLOCK_GD_SCHEMES = ['wait-all', 'ignore-stragglers', 'frc'] as const;
/** The default gradient scheme of gd, newton and oversketched-newton: the paper's ref. [20]. */
export const DEFAULT_PRODUCT_SCHEME = 'product-code';

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
  /** Logical workers the sketch runs on (the first this many; default all). */
  workers?: number | undefined;
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
  /** Row blocks (tasks) of the exact Hessian (default: the Hessian scheme's choice, one per Hessian worker). */
  hessianBlocks?: number;
  /** Logical workers the exact Hessian runs on (the first this many; default all). */
  hessianWorkers?: number;
  /** Logical workers the gradient (and GIANT, and row-block gd) runs on (the first this many; default all). */
  gradientWorkers?: number;
  /** The Newton solvers' step: armijo (default) or unit (Algorithm 1). */
  newtonStep?: NewtonStep;
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
  /** The gradient's scheme (products, or row blocks for giant and row-block gd) and its K blocks. */
  gradient: SchemeChoice;
  blocks: number;
  /** Workers the gradient's plan is made for. */
  gradientWorkers: number;
  /** giant, or gd over row blocks: the solver runs rounds of row blocks instead of coded products. */
  rowBlocks: boolean;
  /** newton: the exact Hessian's scheme, row blocks and workers. */
  hessian?: { choice: SchemeChoice; blocks: number; workers: number };
  /** oversketched-newton: the sketch's shape and its workers. */
  sketch?: Required<OversketchShape> & { workers: number };
}

function stageWorkers(key: string, wanted: number | undefined, W: number): number {
  if (wanted === undefined) return W;
  if (wanted > W) throw new InputError(`logistic-regression: ${key} = ${wanted} but the job has ${W} workers`);
  return wanted;
}

/**
 * The solver's schemes and shapes for W workers and X of n×d, every rule checked: the gradient
 * scheme a solver takes, each scheme's own parameters against its workers, the coded blocks
 * against d, the Hessian's scheme and blocks, the sketch's row blocks against its workers. Runs
 * before any worker starts (checkJob) and again when the solve places its blocks.
 */
export function logisticLayout(spec: Omit<LogisticSolveSpec, 'lambda' | 'seed'>, W: number, n: number, d: number): LogisticLayout {
  const { solver } = spec;
  const schemeSpec = spec.scheme ?? { name: solver === 'giant' ? 'wait-all' : DEFAULT_PRODUCT_SCHEME };
  const allowed: readonly string[] = solver === 'giant' ? GIANT_SCHEMES : solver === 'gd' ? [...new Set([...PRODUCT_SCHEMES.filter((x) => x !== 'wait-all'), ...ROW_BLOCK_GD_SCHEMES])] : PRODUCT_SCHEMES;
  if (!allowed.includes(schemeSpec.name)) {
    throw new InputError(`logistic-regression: solver ${solver} takes scheme ${allowed.join(', ')} for its gradient, not '${schemeSpec.name}'`);
  }
  const gradient = chooseScheme(schemeSpec);
  const Wg = stageWorkers('gradientWorkers', spec.gradientWorkers, W);
  const blocks = spec.blocks ?? gradient.defaultBlocks(Wg);
  const rowBlocks = solver === 'giant' || (solver === 'gd' && (ROW_BLOCK_GD_SCHEMES as readonly string[]).includes(schemeSpec.name));
  if (rowBlocks) {
    if (blocks > n) throw new InputError(`logistic-regression: ${blocks} row blocks but only ${n} rows`);
    gradient.check({ workers: Wg, blocks, rows: n });
    return { gradient, blocks, gradientWorkers: Wg, rowBlocks };
  }
  gradient.check({ workers: Wg, blocks, rows: d });
  if (blocks > d) throw new InputError(`coded products: ${blocks} coded blocks but only ${d} columns; use fewer blocks (the job's blocks key, or the scheme's k or grid)`);
  const base = { gradient, blocks, gradientWorkers: Wg, rowBlocks };
  if (solver === 'newton') {
    if (!(HESSIAN_SCHEMES as readonly string[]).includes(spec.hessianScheme.name)) {
      throw new InputError(`logistic-regression: hessian.scheme must be one of ${HESSIAN_SCHEMES.join(', ')}, not '${spec.hessianScheme.name}'`);
    }
    const choice = chooseScheme(spec.hessianScheme);
    const We = stageWorkers('hessian.workers', spec.hessianWorkers, W);
    const hBlocks = spec.hessianBlocks ?? choice.defaultBlocks(We);
    if (hBlocks > n) throw new InputError(`logistic-regression: hessian.blocks = ${hBlocks} but only ${n} rows`);
    choice.check({ workers: We, blocks: hBlocks, rows: n });
    return { ...base, hessian: { choice, blocks: hBlocks, workers: We } };
  }
  if (solver === 'oversketched-newton') {
    const Ws = stageWorkers('sketch.workers', spec.sketch.workers, W);
    return { ...base, sketch: { ...resolveSketchShape(spec.sketch, Ws, d), workers: Ws } };
  }
  return base;
}

function rowBlocks(n: number, K: number): { blockStarts: number[] } {
  return { blockStarts: evenBlockStarts(n, K) };
}

/**
 * Places what the solver needs on the cluster's live workers, runs it, releases the blocks:
 *   gd, newton, oversketched-newton: X and Xᵀ under the gradient's scheme (coded products, or
 *     uncoded ones stacked), plus for newton X's row blocks under the Hessian scheme, for
 *     oversketched-newton X's R row blocks, one per worker of each sketch group (oversketch-plan.ts);
 *   giant, and gd under a row-block scheme: X's row blocks with labels under wait-all,
 *     ignore-stragglers or frc.
 * Each stage plans for its own number of workers (the first of the live ones: gradientWorkers,
 * hessian.workers, sketch.workers), and every placement counts work in the job's unit, one
 * uncoded wait-all logistic gradient block of the job's W workers (logisticReference).
 */
export async function solveLogistic(cluster: ComputeCluster, jobId: string, X: Matrix, y: Float64Array, spec: LogisticSolveSpec, opts: LogisticRunOptions): Promise<LogisticSolveOutcome> {
  const n = X.rows;
  const d = X.cols;
  const model = { y, n, d, lambda: spec.lambda };
  const live = cluster.liveWorkers();
  const W = live.length;
  const { solver } = spec;
  const layout = logisticLayout(spec, W, n, d);
  const { gradient, blocks: K } = layout;
  const place = { referenceFlops: logisticReference(n, d, W) };
  const placed: PlacedPlan[] = [];
  const schemes: Record<string, unknown> = {};
  let coded: CodedProducts | undefined;
  try {
    if (layout.rowBlocks) {
      const { blockStarts } = rowBlocks(n, K);
      const { plan, placed: p } = await planAndPlace(cluster, gradient, { jobId: `${jobId}-${solver}`, A: X, b: y, blockStarts, rng: new Rng(spec.seed), place, workers: layout.gradientWorkers });
      placed.push(p);
      schemes.gradient = { name: plan.scheme, workers: layout.gradientWorkers, ...gradient.params, ...plan.describe() };
      const run = solver === 'giant' ? await giant(model, cluster, p, K, opts) : await rowBlockGd(model, cluster, p, K, opts);
      return { run, schemes, bytesPlaced: p.bytesPlaced };
    }
    coded = await CodedProducts.place(cluster, jobId, X, gradient, K, spec.seed, place, layout.gradientWorkers);
    schemes.gradient = { name: gradient.name, workers: layout.gradientWorkers, ...gradient.params, X: coded.xPlaced.plan.describe(), XT: coded.xtPlaced.plan.describe() };
    let hessian: HessianOracle | undefined;
    if (layout.hessian) {
      const hs = layout.hessian;
      const { blockStarts } = rowBlocks(n, hs.blocks);
      const { plan, placed: p } = await planAndPlace(cluster, hs.choice, { jobId: `${jobId}-hessian`, A: X, blockStarts, rng: new Rng(spec.seed + 1), place, workers: hs.workers });
      placed.push(p);
      schemes.hessian = { name: plan.scheme, workers: hs.workers, ...hs.choice.params, ...plan.describe() };
      hessian = exactHessian(cluster, p, blockStarts, n, d, spec.lambda);
    } else if (layout.sketch) {
      const shape = layout.sketch;
      const { blockStarts } = rowBlocks(n, shape.rowBlocks);
      const plan = oversketchPlan(shape, shape.workers, d);
      const p = await placePlan(cluster, `${jobId}-sketch`, plan, { A: X, blockStarts }, place, firstWorkers(live, shape.workers, `${jobId} sketch`));
      placed.push(p);
      schemes.hessian = { name: 'oversketch', workers: shape.workers, ...plan.describe(), bytesPlaced: p.bytesPlaced };
      hessian = sketchedHessian(cluster, p, shape, blockStarts, n, d, spec.lambda, spec.seed);
    }
    const run = await newtonFamily(solver as Exclude<LogisticSolver, 'giant'>, model, coded, hessian, opts, spec.newtonStep ?? 'armijo');
    if (solver !== 'gd') schemes.step = spec.newtonStep ?? 'armijo';
    return { run, schemes, bytesPlaced: coded.bytesPlaced() + placed.reduce((s, p) => s + p.bytesPlaced, 0) };
  } finally {
    await Promise.all([coded?.release(), ...placed.map((p) => cluster.release(p))]);
  }
}
