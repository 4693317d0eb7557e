import type { SchemeSpec } from '../../../shared/config';
import { InputError } from '../../../shared/errors';
import { Rng } from '../../../shared/random';
import type { Matrix } from '../../../shared/tensor';
import { evenBlockStarts } from '../../cluster/placement';
import type { ComputeCluster, PlacedPlan } from '../../cluster/types';
import { lookupScheme } from '../../schemes';
import { CodedProducts } from '../coded';
import { giant } from './giant';
import { exactHessian, sketchedHessian, type HessianOracle } from './hessians';
import { newtonFamily } from './newton';
import { oversketchPlan, sketchRowBlocks, type OversketchShape } from './oversketch-plan';
import { mapPlanToLive } from '../../cluster/placement';
import type { LogisticRunOptions, LogisticRunResult, LogisticSolver } from './types';

export const GIANT_SCHEMES = ['wait-all', 'ignore-stragglers', 'frc'] as const;
export const HESSIAN_SCHEMES = ['speculative', 'wait-all'] as const;

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

function rowBlocks(n: number, K: number): { blockStarts: number[]; blockRows: number[] } {
  const blockStarts = evenBlockStarts(n, K);
  return { blockStarts, blockRows: blockStarts.slice(1).map((s, j) => s - blockStarts[j]!) };
}

/**
 * Places what the solver needs on the cluster's live workers, runs it, releases the blocks:
 *   gd, newton, oversketched-newton: X and Xᵀ under mds (the gradient), plus for newton X's row
 *     blocks under the Hessian scheme, for oversketched-newton X's R row blocks, one per worker
 *     of each sketch group (oversketch-plan.ts);
 *   giant: X's row blocks with labels under wait-all, ignore-stragglers or frc.
 */
export async function solveLogistic(cluster: ComputeCluster, jobId: string, X: Matrix, y: Float64Array, spec: LogisticSolveSpec, opts: LogisticRunOptions): Promise<LogisticSolveOutcome> {
  const n = X.rows;
  const d = X.cols;
  const model = { y, n, d, lambda: spec.lambda };
  const live = cluster.liveWorkers();
  const W = live.length;
  const { solver } = spec;
  const schemeSpec = spec.scheme ?? { name: solver === 'giant' ? 'wait-all' : 'mds' };
  const allowed: readonly string[] = solver === 'giant' ? GIANT_SCHEMES : ['mds'];
  if (!allowed.includes(schemeSpec.name)) {
    throw new InputError(`logistic-regression: solver ${solver} takes scheme ${allowed.join(', ')} for its gradient, not '${schemeSpec.name}'`);
  }
  const scheme = lookupScheme(schemeSpec.name);
  const { name: _n, ...rawParams } = schemeSpec;
  const params = scheme.parse(rawParams);
  const K = spec.blocks ?? scheme.defaultBlocks(W, params);
  const placed: PlacedPlan[] = [];
  const schemes: Record<string, unknown> = {};
  let coded: CodedProducts | undefined;
  try {
    if (solver === 'giant') {
      const { blockStarts, blockRows } = rowBlocks(n, K);
      const plan = mapPlanToLive(scheme.plan({ workers: W, blocks: K, blockRows, rng: new Rng(spec.seed), params }), live);
      const p = await cluster.place(`${jobId}-giant`, plan, { A: X, b: y, blockStarts });
      placed.push(p);
      schemes.gradient = { name: plan.scheme, ...params, ...plan.describe() };
      const run = await giant(model, cluster, p, K, opts);
      return { run, schemes, bytesPlaced: p.bytesPlaced };
    }
    coded = await CodedProducts.place(cluster, jobId, X, scheme, params, K, live, spec.seed);
    schemes.gradient = { name: 'mds', ...params, X: coded.xPlaced.plan.describe(), XT: coded.xtPlaced.plan.describe() };
    let hessian: HessianOracle | undefined;
    if (solver === 'newton') {
      const hs = lookupScheme(spec.hessianScheme.name);
      if (!(HESSIAN_SCHEMES as readonly string[]).includes(hs.name)) {
        throw new InputError(`logistic-regression: hessian.scheme must be one of ${HESSIAN_SCHEMES.join(', ')}, not '${hs.name}'`);
      }
      const { name: _h, ...hRaw } = spec.hessianScheme;
      const hParams = hs.parse(hRaw);
      const { blockStarts, blockRows } = rowBlocks(n, spec.hessianBlocks ?? hs.defaultBlocks(W, hParams));
      const plan = mapPlanToLive(hs.plan({ workers: W, blocks: blockRows.length, blockRows, rng: new Rng(spec.seed + 1), params: hParams }), live);
      const p = await cluster.place(`${jobId}-hessian`, plan, { A: X, blockStarts });
      placed.push(p);
      schemes.hessian = { name: plan.scheme, ...hParams, ...plan.describe() };
      hessian = exactHessian(cluster, p, blockStarts, n, d, spec.lambda);
    } else if (solver === 'oversketched-newton') {
      const shape = resolveSketchShape(spec.sketch, W, d);
      const { blockStarts } = rowBlocks(n, shape.rowBlocks);
      const plan = mapPlanToLive(oversketchPlan(shape, W, d), live);
      const p = await cluster.place(`${jobId}-sketch`, plan, { A: X, blockStarts });
      placed.push(p);
      schemes.hessian = { name: 'oversketch', ...plan.describe(), bytesPlaced: p.bytesPlaced };
      hessian = sketchedHessian(cluster, p, shape, blockStarts, n, d, spec.lambda, spec.seed);
    }
    const run = await newtonFamily(solver, model, coded, hessian, opts);
    return { run, schemes, bytesPlaced: coded.bytesPlaced() + placed.reduce((s, p) => s + p.bytesPlaced, 0) };
  } finally {
    await Promise.all([coded?.release(), ...placed.map((p) => cluster.release(p))]);
  }
}
