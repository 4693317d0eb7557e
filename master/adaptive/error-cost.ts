import type { Candidate } from './candidates';

/**
 * What an approximate gradient costs in iterations. The model: an unbiased gradient estimate ĝ
 * with relative variance v = E‖ĝ − g‖²/‖g‖² slows linear convergence as if the condition number
 * were (1 + v)·κ (for steepest descent on a strongly convex quadratic with step 1/L, the expected
 * decrease per step is (1 − 1/((1 + v)κ)) when E‖ĝ‖² = (1 + v)‖g‖²). For κ ≫ 1 the iterations to
 * a target grow by the factor 1 + v; exact schemes have v = 0. The chooser therefore compares
 * candidates by (seconds per iteration) × (1 + v).
 *
 * v for first-q decoding (ignore-stragglers: q of K equal blocks, a uniform q-subset when arrivals
 * are exchangeable, rescaled by K/q) is the finite-population variance
 *     v(q) = h·(K − q)/(q·(K − 1)),   h = K·Σⱼ‖gⱼ‖²/‖g‖² − 1,
 * where h, the blocks' gradient heterogeneity, depends on the data and the iterate. leverage is
 * given the same form over its m slots (its sampling by leverage scores is meant to make its h
 * smaller; measurements decide). h starts at a prior and is then estimated per scheme from measured
 * squared errors: the integration knows the exact gradient at the master (least squares keeps
 * AᵀA and Aᵀb), so each approximate round gives e = ‖ĝ − g‖²/‖g‖² and h ≈ e·q(K − 1)/(K − q).
 * Near a non-zero-residual optimum g → 0 while the block gradients do not, so the measured h grows
 * and the chooser moves to an exact scheme by itself.
 *
 * Contraction: measured error ratios of successive iterations give the per-iteration contraction
 * ρ, so the remaining iterations to a target are log(target/current)/log ρ (what a re-plan's cost
 * is weighed against).
 */
export interface ErrorCostOptions {
  /** Prior heterogeneity h before any measurement. Default 1. */
  priorHeterogeneity?: number;
  /** Measurements averaged per scheme (the most recent). Default 20. */
  window?: number;
}

export class ErrorCostModel {
  private readonly prior: number;
  private readonly window: number;
  private readonly h = new Map<string, number[]>();
  private readonly ratios: number[] = [];

  constructor(opts: ErrorCostOptions = {}) {
    this.prior = opts.priorHeterogeneity ?? 1;
    this.window = opts.window ?? 20;
    if (!(this.prior >= 0)) throw new RangeError('error cost: priorHeterogeneity must be ≥ 0');
  }

  /** One round of `c` decoded ĝ where the exact gradient was g: e = ‖ĝ − g‖²/‖g‖². */
  observeSquaredError(c: Candidate, relativeSquaredError: number): void {
    if (c.exact) return;
    if (!(relativeSquaredError >= 0) || !Number.isFinite(relativeSquaredError)) return;
    const shape = this.shape(c);
    if (shape <= 0) return;
    const list = this.h.get(c.scheme) ?? [];
    list.push(relativeSquaredError / shape);
    if (list.length > this.window) list.shift();
    this.h.set(c.scheme, list);
  }

  /** The estimated heterogeneity for a scheme (the prior until measured). */
  heterogeneity(scheme: string): number {
    const list = this.h.get(scheme);
    if (!list || list.length === 0) return this.prior;
    return list.reduce((a, b) => a + b, 0) / list.length;
  }

  /** v for the candidate (0 when exact). */
  relativeVariance(c: Candidate): number {
    return c.exact ? 0 : this.heterogeneity(c.scheme) * this.shape(c);
  }

  /** Iterations relative to an exact scheme: 1 + v. */
  iterationFactor(c: Candidate): number {
    return 1 + this.relativeVariance(c);
  }

  /** (K − q)/(q(K − 1)) over the population first-q samples from (K blocks; leverage's m slots). */
  private shape(c: Candidate): number {
    const q = c.params.q as number | undefined;
    if (q === undefined) return 0;
    const population = c.scheme === 'leverage' ? ((c.params.slots as number | undefined) ?? 2 * c.blocks) : c.blocks;
    return population > 1 ? (population - q) / (q * (population - 1)) : 0;
  }

  /** A measured ratio of successive errors of an exact iteration (error_{t+1}/error_t). */
  observeContraction(ratio: number): void {
    if (!(ratio > 0 && ratio < 1)) return;
    this.ratios.push(ratio);
    if (this.ratios.length > this.window) this.ratios.shift();
  }

  /** Geometric mean of the measured contractions (undefined before any). */
  contraction(): number | undefined {
    if (this.ratios.length === 0) return undefined;
    return Math.exp(this.ratios.reduce((s, r) => s + Math.log(r), 0) / this.ratios.length);
  }

  /** Exact iterations from `error` to `target` at the measured contraction (undefined before any). */
  iterationsToTarget(error: number, target: number): number | undefined {
    const rho = this.contraction();
    if (rho === undefined || !(error > 0) || !(target > 0)) return undefined;
    return error <= target ? 0 : Math.log(target / error) / Math.log(rho);
  }

  describe(): { heterogeneity: Record<string, number>; contraction: number | null } {
    const heterogeneity: Record<string, number> = {};
    for (const s of this.h.keys()) heterogeneity[s] = this.heterogeneity(s);
    return { heterogeneity, contraction: this.contraction() ?? null };
  }
}
