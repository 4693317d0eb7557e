import type { Matrix } from '../../../shared/tensor';
import type { MasterCompute } from '../../compute';

/**
 * f* for `stop.suboptimality`: exact damped Newton at the master to ‖∇f‖ ≤ 1e-13 (the reference
 * the distributed solvers are checked against), all of it on the master's compute thread
 * (`compute`): its Grams and Cholesky solves there inline, its O(nd) products on the fastest
 * kernels there; a pass over X is as long as a factorization and must not hold the loop. An experiment runs
 * every solver and seed on the same data: the optimum is computed once per data and λ in this
 * process (the last few kept). It runs before the job's workers are used, so it is not in any
 * solver's wall time.
 */
const TOL = 1e-13;
const KEPT = 4;
const cache = new Map<string, { f: number; gradNorm: number; iterations: number }>();

export async function logisticOptimum(compute: MasterCompute, key: string, X: Matrix, y: Float64Array, lambda: number): Promise<{ f: number; gradNorm: number; iterations: number }> {
  const k = `${key}\u0000${lambda}`;
  const hit = cache.get(k);
  if (hit) return hit;
  const out = await compute.logisticReference(X, y, lambda, { tol: TOL, maxIterations: 100 });
  cache.set(k, out);
  if (cache.size > KEPT) cache.delete(cache.keys().next().value!);
  return out;
}
