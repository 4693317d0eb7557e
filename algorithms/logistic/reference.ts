import { SingularMatrixError } from '../../shared/errors';
import { jsKernels, type Kernels } from '../../shared/kernels';
import type { AsyncLinalg } from '../../shared/linalg';
import type { Matrix } from '../../shared/tensor';
import { armijoBacktracking } from './line-search';
import { atMargins, evaluateAt, objectiveChange } from './objective';

/**
 * Exact damped Newton entirely at the master, no cluster: the tight reference the distributed
 * solvers are checked against (tests, benchmarks, and result.json on small problems). The
 * weighted Gram (1/n)·Xᵀdiag(γ)X and the Cholesky solve go to `la` (LAPACK on the master's
 * thread); the products with X use `kernels`.
 */
export async function referenceNewton(
  la: AsyncLinalg,
  X: Matrix,
  y: Float64Array,
  lambda: number,
  tol = 1e-12,
  maxIterations = 100,
  kernels: Kernels = jsKernels,
): Promise<{ w: Float64Array; f: number; gradNorm: number; iterations: number }> {
  const { matVec } = kernels;
  const n = X.rows;
  const d = X.cols;
  const model = { y, n, d, lambda };
  const w = new Float64Array(d);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const ev = evaluateAt(X, y, lambda, w);
    if (ev.gradNorm <= tol) break;
    const alpha = matVec(X, w, new Float64Array(n));
    const at = atMargins(model, alpha, w);
    const H = await la.gram(X, { weights: at.gamma, scale: 1 / n });
    for (let j = 0; j < d; j++) H.data[j * d + j]! += lambda;
    const p = (await la.solveSpd(H, ev.grad)).x.data.map((v) => -v);
    const delta = matVec(X, p, new Float64Array(n));
    let slope = 0;
    for (let j = 0; j < d; j++) slope += ev.grad[j]! * p[j]!;
    const c = armijoBacktracking((s) => objectiveChange(model, alpha, delta, w, p, s), slope, 1);
    if (!c.accepted) break;
    for (let j = 0; j < d; j++) w[j]! += c.step * p[j]!;
  }
  const ev = evaluateAt(X, y, lambda, w);
  if (!Number.isFinite(ev.f)) throw new SingularMatrixError('reference Newton diverged');
  return { w, f: ev.f, gradNorm: ev.gradNorm, iterations };
}
