import type { ColumnSolveOptions, ColumnSolveResult, LinearOperator } from './linear-operator';
import { lsResidualAndGradient } from './linear-operator';

/** Armijo parameters of the backtracking line search (Boyd & Vandenberghe §9.2: α ∈ (0, ½), β ∈ (0, 1)). */
export const BACKTRACKING = { alpha: 0.3, beta: 0.5 } as const;

/**
 * The Armijo backtracking search along −∇f from the last accepted step `t` grown by 1/β, on
 * f(x − t g) = f − 2t⟨r, Mg⟩ + t²‖Mg‖² evaluated exactly for each trial t (gg = ‖g‖²). Returns the
 * accepted step, or undefined when t underflowed (no decrease is representable).
 */
export function backtrackingStep(fx: number, gg: number, rMg: number, MgMg: number, t: number): number | undefined {
  t /= BACKTRACKING.beta;
  let trials = 0;
  while (fx - 2 * t * rMg + t * t * MgMg > fx - BACKTRACKING.alpha * t * gg) {
    t *= BACKTRACKING.beta;
    if (++trials > 200) return undefined;
  }
  return t;
}

/**
 * Steepest descent with backtracking line search on f(x) = ‖Mx − y‖₂², the paper's solver:
 * x ← x − t∇f(x), t shrunk by β until f(x − t∇f) ≤ f(x) − α·t·‖∇f‖², stopping on ‖∇f‖₂ ≤ ε.
 * Each trial step costs O(rows), not a product: M(x − tg) = Mx − t·Mg with Mg formed once.
 * The first trial step is the last accepted one grown by 1/β, so the step can also grow back.
 *
 * Converges linearly at rate about (κ²−1)/(κ²+1) for κ = κ₂(M): at condition numbers in the
 * hundreds and small ε that is tens of thousands of iterations per column. CG is the default.
 */
export function sdLeastSquares(M: LinearOperator, y: Float64Array, opts: ColumnSolveOptions, x0?: Float64Array): ColumnSolveResult {
  const n = M.cols;
  const m = M.rows;
  const x = x0 ? Float64Array.from(x0) : new Float64Array(n);
  const r = new Float64Array(m); // Mx − y
  const g = new Float64Array(n); // ∇f = 2Mᵀr
  const Mg = new Float64Array(m);
  let [gnorm, rnorm] = lsResidualAndGradient(M, x, y, r, g);
  let fx = rnorm * rnorm;
  let t = 1;
  let iterations = 0;
  while (gnorm > opts.tol && iterations < opts.maxIterations) {
    iterations++;
    M.apply(g, Mg);
    const gg = gnorm * gnorm;
    // f(x − t g) = ‖r − t·Mg‖² = f − 2t⟨r, Mg⟩ + t²‖Mg‖², evaluated exactly for each trial t.
    let rMg = 0;
    let MgMg = 0;
    for (let i = 0; i < m; i++) {
      rMg += r[i]! * Mg[i]!;
      MgMg += Mg[i]! * Mg[i]!;
    }
    const step = backtrackingStep(fx, gg, rMg, MgMg, t);
    if (step === undefined) break;
    t = step;
    for (let j = 0; j < n; j++) x[j]! -= t * g[j]!;
    for (let i = 0; i < m; i++) r[i]! -= t * Mg[i]!;
    // Refresh the residual from x now and then so rounding in the update does not accumulate.
    if (iterations % 50 === 0) {
      [gnorm, rnorm] = lsResidualAndGradient(M, x, y, r, g);
    } else {
      M.applyT(r, g);
      let s = 0;
      rnorm = 0;
      for (let j = 0; j < n; j++) {
        g[j]! *= 2;
        s += g[j]! * g[j]!;
      }
      for (let i = 0; i < m; i++) rnorm += r[i]! * r[i]!;
      gnorm = Math.sqrt(s);
      rnorm = Math.sqrt(rnorm);
    }
    fx = rnorm * rnorm;
  }
  [gnorm, rnorm] = lsResidualAndGradient(M, x, y, r, g);
  return { x, iterations, gradientNorm: gnorm, residualNorm: rnorm, converged: gnorm <= opts.tol };
}
