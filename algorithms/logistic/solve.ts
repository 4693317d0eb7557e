import type { SchemeSpec } from '../../shared/config';
import { InputError } from '../../shared/errors';
import { Rng } from '../../shared/random';
import type { Matrix } from '../../shared/tensor';
import { evenBlockStarts } from '../../core/schemes/placement';
import { planAndPlace } from '../plan-and-place';
import { logisticReference } from '../../core/runtime';
import type { ComputeCluster, PlacedPlan } from '../compute-cluster';
import { chooseAs, chooseScheme, oversketch, registeredSchemes, sketchRowBlocks, type OversketchShape, type RegisteredScheme, type SchemeChoice } from '../../core/schemes';
import { CodedProducts, stacksProducts } from '../coded';
import { giant, rowBlockGd } from './giant';
import { exactHessian, sketchedHessian, type HessianOracle } from './hessians';
import { newtonFamily, type NewtonStep } from './newton';
import type { LogisticRunOptions, LogisticRunResult, LogisticSolver } from './types';

type Capabilities = Pick<RegisteredScheme, 'gradient' | 'approximate' | 'stores' | 'multiBlockSlots'>;

/** Each slot one plain block, exact: what stacks into matrix-vector products and sums an exact Hessian. */
const exactPlainBlocks = stacksProducts;
/** Plain (unscaled, uncoded) blocks whose answers add up, an estimate allowed (rescaled by K/q). */
const rowBlockSums = (s: Capabilities): boolean => s.gradient === 'additive' && s.stores === 'plain';

/**
 * What each use asks of a scheme (its declared capabilities, types.ts), and the scheme a job gets
 * when it names none:
 * - row blocks (GIANT; gd under an uncoded scheme, the paper's Fig. 7): each block's own gradient,
 *   local Newton step and loss, summed;
 * - products (gd under a coded scheme, newton and oversketched-newton): X·v and Xᵀ·u as coded
 *   products (product-code, the paper's ref. [20], or mds), or uncoded ones stacked (the paper's
 *   Fig. 6 baseline: speculative, wait-all);
 * - newton's exact Hessian: Σⱼ Xⱼᵀdiag(γⱼ)Xⱼ, each slot one plain block with its own γ, exact.
 */
const USES = {
  rowBlocks: { default: 'wait-all', fits: rowBlockSums },
  products: { default: 'product-code', fits: (s: Capabilities) => s.gradient === 'coded' || exactPlainBlocks(s) },
  hessian: { default: 'speculative', fits: exactPlainBlocks },
} as const;

/** The registered schemes fit for a use, its default first. */
export function schemesFor(use: keyof typeof USES): string[] {
  const { default: first, fits } = USES[use];
  const names = registeredSchemes()
    .filter(fits)
    .map((s) => s.name);
  return names.includes(first) ? [first, ...names.filter((n) => n !== first)] : names;
}

/** The gradient's schemes a solver takes: gd runs coded products under a coded scheme, row blocks under any other. */
function gradientSchemes(solver: LogisticSolver): string[] {
  if (solver === 'giant') return schemesFor('rowBlocks');
  if (solver !== 'gd') return schemesFor('products');
  const coded = registeredSchemes()
    .filter((s) => s.gradient === 'coded')
    .map((s) => s.name);
  return [...new Set([...schemesFor('rowBlocks'), ...coded])];
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
  /** Logical workers the sketch runs on (the first this many; default all). */
  workers?: number | undefined;
}

export interface LogisticSolveSpec {
  solver: LogisticSolver;
  lambda: number;
  /** Gradient scheme (default: product-code, or wait-all for giant). */
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
  const schemeSpec = spec.scheme ?? { name: solver === 'giant' ? USES.rowBlocks.default : USES.products.default };
  const allowed = gradientSchemes(solver);
  if (!allowed.includes(schemeSpec.name)) {
    throw new InputError(`logistic-regression: solver ${solver} takes scheme ${allowed.join(', ')} for its gradient, not '${schemeSpec.name}'`);
  }
  const gradient = chooseScheme(schemeSpec);
  const Wg = stageWorkers('gradientWorkers', spec.gradientWorkers, W);
  const blocks = spec.blocks ?? gradient.defaultBlocks(Wg);
  const rowBlocks = solver === 'giant' || (solver === 'gd' && gradient.gradient !== 'coded');
  if (rowBlocks) {
    if (blocks > n) throw new InputError(`logistic-regression: ${blocks} row blocks but only ${n} rows`);
    gradient.check({ workers: Wg, blocks, rows: n });
    return { gradient, blocks, gradientWorkers: Wg, rowBlocks };
  }
  gradient.check({ workers: Wg, blocks, rows: d });
  if (blocks > d) throw new InputError(`coded products: ${blocks} coded blocks but only ${d} columns; use fewer blocks (the job's blocks key, or the scheme's k or grid)`);
  const base = { gradient, blocks, gradientWorkers: Wg, rowBlocks };
  if (solver === 'newton') {
    const hessianSchemes = schemesFor('hessian');
    if (!hessianSchemes.includes(spec.hessianScheme.name)) {
      throw new InputError(`logistic-regression: hessian.scheme must be one of ${hessianSchemes.join(', ')}, not '${spec.hessianScheme.name}'`);
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
 *   gd under a coded scheme, newton, oversketched-newton: X and Xᵀ under the gradient's scheme
 *     (coded products, or uncoded ones stacked), plus for newton X's row blocks under the Hessian
 *     scheme, for oversketched-newton X's R row blocks, one per worker of each sketch group
 *     (core/schemes/oversketch.ts);
 *   giant, and gd under an uncoded scheme: X's row blocks with labels under its scheme
 *     (schemesFor('rowBlocks')).
 * Each stage plans for its own number of workers (the first of the live ones: gradientWorkers,
 * hessian.workers, sketch.workers), and every placement counts work in the job's unit, one
 * uncoded wait-all logistic gradient block of the job's W workers (logisticReference).
 */
export async function solveLogistic(cluster: ComputeCluster, jobId: string, X: Matrix, y: Float64Array, spec: LogisticSolveSpec, opts: LogisticRunOptions): Promise<LogisticSolveOutcome> {
  const n = X.rows;
  const d = X.cols;
  const model = { y, n, d, lambda: spec.lambda };
  const W = cluster.liveWorkers().length;
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
      const sketch = chooseAs(oversketch, { blocks: shape.blocks, extra: shape.extra, width: shape.width });
      const { plan, placed: p } = await planAndPlace(cluster, sketch, { jobId: `${jobId}-sketch`, A: X, blockStarts, rng: new Rng(spec.seed + 2), place, workers: shape.workers });
      placed.push(p);
      schemes.hessian = { name: 'oversketch', workers: shape.workers, ...plan.describe(), bytesPlaced: p.bytesPlaced };
      hessian = sketchedHessian(cluster, p, shape, blockStarts, n, d, spec.lambda, spec.seed);
    }
    // giant always runs on row blocks (returned above).
    if (solver === 'giant') throw new Error('giant reached the coded products');
    const run = await newtonFamily(solver, model, coded, hessian, opts, await cluster.linalg(), spec.newtonStep ?? 'armijo');
    if (solver !== 'gd') schemes.step = spec.newtonStep ?? 'armijo';
    return { run, schemes, bytesPlaced: coded.bytesPlaced() + placed.reduce((s, p) => s + p.bytesPlaced, 0) };
  } finally {
    await Promise.all([coded?.release(), ...placed.map((p) => cluster.release(p))]);
  }
}
