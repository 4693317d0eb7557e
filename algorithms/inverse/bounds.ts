/**
 * The a-priori error bounds of the inverse paper for a run whose columns all stopped with
 * ‖∇f_i‖₂ ≤ ε (f_i(b) = ‖Ab − e_i‖₂², no ½). Errors are the paper's squared ones:
 * err_F = ‖Â − X‖_F², err_rF = err_F / ‖X‖_F².
 *
 * The bounds depend only on the stopping rule, not on the solver, so they hold for CG as for SD.
 */
export interface ErrorBound {
  source: string;
  frobenius: number;
  relativeFrobenius: number;
}

/**
 * Proposition 1 (inverse, n×n): err_F ≤ nε²/(2σ_min⁴), err_rF ≤ nε²/(2σ_min²).
 * (The paper's proof takes μ = σ_min² where f's strong-convexity constant is 2σ_min², so the bound
 * is conservative by a factor 2: it holds as stated.)
 */
export function proposition1(n: number, eps: number, sigmaMin: number): ErrorBound {
  return {
    source: 'Proposition 1',
    frobenius: (n * eps * eps) / (2 * sigmaMin ** 4),
    relativeFrobenius: (n * eps * eps) / (2 * sigmaMin ** 2),
  };
}

/**
 * Corollary 2 (pseudoinverse of a tall n×m A), as stated in the paper:
 * err_F ≤ m(εκ/(√2σ_min))², err_rF ≤ mε²κ²/2, κ = σ_max/σ_min.
 */
export function corollary2AsStated(m: number, eps: number, sigmaMin: number, sigmaMax: number): ErrorBound {
  const kappa = sigmaMax / sigmaMin;
  return {
    source: 'Corollary 2 (as stated)',
    frobenius: m * ((eps * kappa) / (Math.SQRT2 * sigmaMin)) ** 2,
    relativeFrobenius: (m * eps * eps * kappa * kappa) / 2,
  };
}

/**
 * Corollary 2 derived as the paper derives it, but with (7) applied to B = AᵀA in full: the
 * workers' columns satisfy ‖ĉ_i − B⁻¹e_i‖² ≤ ε²/(2σ_min(B)⁴) = ε²/(2σ_min(A)⁸), while the proof
 * uses ε²/(2σ_min(A)⁴) (σ_min(B) squared, not to the fourth). Hence
 * err_F ≤ mε²σ_max²/(2σ_min⁸), err_rF ≤ mε²κ²/(2σ_min⁴). The stated form is valid only when
 * σ_min(A) ≥ 1; the report gives both and the larger is always an upper bound.
 */
export function corollary2Derived(m: number, eps: number, sigmaMin: number, sigmaMax: number): ErrorBound {
  const kappa = sigmaMax / sigmaMin;
  return {
    source: 'Corollary 2 (derived with σ_min(AᵀA)⁴)',
    frobenius: (m * eps * eps * sigmaMax ** 2) / (2 * sigmaMin ** 8),
    relativeFrobenius: (m * eps * eps * kappa * kappa) / (2 * sigmaMin ** 4),
  };
}
