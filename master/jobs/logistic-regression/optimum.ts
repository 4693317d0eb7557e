import { referenceNewton } from '../../../algorithms/logistic';
import { selectKernels } from '../../../shared/kernels';
import type { AsyncLinalg } from '../../../shared/linalg';
import type { Matrix } from '../../../shared/tensor';

/**
 * f* for `stop.suboptimality`: exact damped Newton at the master to ‖∇f‖ ≤ 1e-13 (the reference
 * the distributed solvers are checked against): its Grams and Cholesky solves on the master's
 * linear-algebra thread (`la`), its O(nd) products on the fastest kernels here. An experiment runs
 * every solver and seed on the same data: the optimum is computed once per data and λ in this
 * process (the last few kept). It runs before the job's workers are used, so it is not in any
 * solver's wall time.
 */
const TOL = 1e-13;
const KEPT = 4;
const cache = new Map<string, { f: number; gradNorm: number; iterations: number }>();

export async function logisticOptimum(la: AsyncLinalg, key: string, X: Matrix, y: Float64Array, lambda: number): Promise<{ f: number; gradNorm: number; iterations: number }> {
  const k = `${key}\u0000${lambda}`;
  const hit = cache.get(k);
  if (hit) return hit;
  const { kernels } = selectKernels({ backend: 'auto', threads: 1 });
  const ref = await referenceNewton(la, X, y, lambda, TOL, 100, kernels);
  const out = { f: ref.f, gradNorm: ref.gradNorm, iterations: ref.iterations };
  cache.set(k, out);
  if (cache.size > KEPT) cache.delete(cache.keys().next().value!);
  return out;
}
