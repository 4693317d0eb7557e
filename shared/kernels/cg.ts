import type { ColumnSolveOptions, ColumnSolveResult, LinearOperator } from './linear-operator';
import { lsResidualAndGradient } from './linear-operator';

/**
 * Conjugate gradients on the least-squares problem min f(x) = ‖Mx − y‖₂² (CGLS: CG on the normal
 * equations MᵀMx = Mᵀy without forming MᵀM, which would square the condition number once more).
 * Stops when ‖∇f(x)‖₂ = 2‖Mᵀ(Mx − y)‖₂ ≤ ε. The recurrence's residual drifts from the true one in
 * floating point, so a stop is confirmed against the residual recomputed from x; if the
 * confirmation fails the iteration restarts from x (residual replacement).
 */
export function cgLeastSquares(M: LinearOperator, y: Float64Array, opts: ColumnSolveOptions, x0?: Float64Array): ColumnSolveResult {
  const n = M.cols;
  const m = M.rows;
  const x = x0 ? Float64Array.from(x0) : new Float64Array(n);
  const r = new Float64Array(m); // r = Mx − y (sign of the gradient)
  const s = new Float64Array(n); // s = Mᵀr = ½∇f
  const p = new Float64Array(n);
  const q = new Float64Array(m);
  const half = opts.tol / 2;

  let [gnorm, rnorm] = lsResidualAndGradient(M, x, y, r, s);
  for (let j = 0; j < n; j++) s[j]! *= 0.5;
  let iterations = 0;
  if (gnorm <= opts.tol) return { x, iterations, gradientNorm: gnorm, residualNorm: rnorm, converged: true };

  // Descent direction d = −p; keep p = s + βp so that x ← x − αp.
  p.set(s);
  let gamma = sqnorm(s);
  while (iterations < opts.maxIterations) {
    M.apply(p, q);
    const delta = sqnorm(q);
    iterations++;
    if (!(delta > 0)) break; // p in the null space of M: no progress is possible along it
    const alpha = gamma / delta;
    for (let j = 0; j < n; j++) x[j]! -= alpha * p[j]!;
    for (let i = 0; i < m; i++) r[i]! -= alpha * q[i]!;
    M.applyT(r, s);
    const gammaNext = sqnorm(s);
    if (Math.sqrt(gammaNext) <= half) {
      [gnorm, rnorm] = lsResidualAndGradient(M, x, y, r, s);
      for (let j = 0; j < n; j++) s[j]! *= 0.5;
      if (gnorm <= opts.tol) return { x, iterations, gradientNorm: gnorm, residualNorm: rnorm, converged: true };
      // The recurrence had drifted: restart from the true gradient.
      p.set(s);
      gamma = sqnorm(s);
      continue;
    }
    const beta = gammaNext / gamma;
    for (let j = 0; j < n; j++) p[j] = s[j]! + beta * p[j]!;
    gamma = gammaNext;
  }
  [gnorm, rnorm] = lsResidualAndGradient(M, x, y, r, s);
  return { x, iterations, gradientNorm: gnorm, residualNorm: rnorm, converged: gnorm <= opts.tol };
}

function sqnorm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return s;
}
