import { candidateScheme, type Candidate } from './candidates';

/**
 * What an approximate gradient costs in iterations, as a factor F ≥ 1 on the iterations an
 * exact scheme needs (exact schemes: F = 1). The chooser minimizes (seconds per iteration) × F.
 *
 * The prior model: an unbiased estimate ĝ with relative variance v = E‖ĝ − g‖²/‖g‖² makes
 * steepest descent on a strongly convex quadratic contract like exact descent with the condition
 * number (1 + v)·κ (with step 1/(L(1 + v)) the expected decrease is ‖g‖²/(2L(1 + v)) since
 * E‖ĝ‖² = (1 + v)‖g‖²), so for κ ≫ 1, F = 1 + v.
 *
 * v for first-q decoding (ignore-stragglers: the first q of K equal blocks, a uniform q-subset
 * when arrivals are exchangeable, rescaled by K/q) is the finite-population variance
 *     v(q) = h·(K − q)/(q·(K − 1)),   h = K·Σⱼ‖gⱼ‖²/‖g‖² − 1,
 * h being the blocks' gradient heterogeneity (data- and iterate-dependent). Each approximate scheme
 * says what it samples (Scheme.sampling: q of a population of K blocks, or leverage's m slots, whose
 * leverage-score sampling is meant to lower h; measurements decide).
 * h starts at a prior and is then measured per scheme: the integration knows the exact gradient
 * at the master (least squares keeps AᵀA and Aᵀb), so an approximate round gives
 * e = ‖ĝ − g‖²/‖g‖², and h ≈ e·q(K − 1)/(K − q).
 *
 * Calibration by measured contraction: 1 + v is a bound for a fixed step; with an exact line
 * search and a consistent system the estimate costs far fewer extra iterations (measured on a
 * 480×20 problem, K = 8: q = 4 needed 1.00–1.03× the exact iterations where 1 + v said 1.06–1.24),
 * and near a non-zero-residual optimum it stalls at an error floor, costing far more. So each
 * round's error ratio (error after / error before, from the master's exact monitoring) is fed in
 * per scheme; once an approximate scheme and the exact ones both have `minContractions` of them,
 * the measured factor F = log ρ_exact / log ρ_scheme (geometric means over the windows) sets
 * F(q) = 1 + β·v(q) with β = (F − 1)/v̄ (v̄: that scheme's mean measured e), and a scheme that
 * makes no progress (ρ ≥ 1) costs F = ∞. Contraction also gives the exact iterations left to a
 * target, against which a re-plan's cost is weighed.
 */
export interface ErrorCostOptions {
  /** Prior heterogeneity h before any measurement. Default 1. */
  priorHeterogeneity?: number;
  /** Measurements kept per scheme (the most recent). Default 20. */
  window?: number;
  /** Contractions needed on each side before they calibrate a scheme. Default 5. */
  minContractions?: number;
}

interface SchemeStats {
  /** Measured relative squared errors e, and e over the candidate's v-shape (h estimates). */
  errors: number[];
  heterogeneity: number[];
  /** log(error ratio) of rounds decoded by this scheme. */
  logRatios: number[];
}

const EXACT = '(exact)';

/** Below this multiple of the level where an estimate stalled, estimates are ruled out. */
const FLOOR_MARGIN = 10;

export class ErrorCostModel {
  private readonly prior: number;
  private readonly window: number;
  private readonly minContractions: number;
  private readonly stats = new Map<string, SchemeStats>();
  /** The monitored error now (set every round), and the level at which an estimate stalled. */
  private currentError: number | undefined;
  private stallFloor: number | undefined;

  constructor(opts: ErrorCostOptions = {}) {
    this.prior = opts.priorHeterogeneity ?? 1;
    this.window = opts.window ?? 20;
    this.minContractions = opts.minContractions ?? 5;
    if (!(this.prior >= 0)) throw new RangeError('error cost: priorHeterogeneity must be ≥ 0');
  }

  private of(key: string): SchemeStats {
    let s = this.stats.get(key);
    if (!s) this.stats.set(key, (s = { errors: [], heterogeneity: [], logRatios: [] }));
    return s;
  }

  private push(list: number[], v: number): void {
    list.push(v);
    if (list.length > this.window) list.shift();
  }

  /** One round of `c` decoded ĝ where the exact gradient was g: e = ‖ĝ − g‖²/‖g‖². */
  observeSquaredError(c: Candidate, relativeSquaredError: number): void {
    const shape = this.shape(c);
    if (c.exact || shape <= 0 || !(relativeSquaredError >= 0) || !Number.isFinite(relativeSquaredError)) return;
    const s = this.of(c.scheme);
    this.push(s.errors, relativeSquaredError);
    this.push(s.heterogeneity, relativeSquaredError / shape);
  }

  /** One iteration under `c` took the monitored error from `before` to `after` (ratio after/before). */
  observeContraction(c: Candidate, ratio: number): void {
    if (!(ratio > 0) || !Number.isFinite(ratio)) return;
    this.push(this.of(c.exact ? EXACT : c.scheme).logRatios, Math.log(ratio));
  }

  /**
   * The estimated heterogeneity h for a scheme: measured, or (not yet measured) the largest h
   * measured for another approximate scheme (the blocks' heterogeneity is the data's), or the
   * prior before any measurement.
   */
  heterogeneity(scheme: string): number {
    const own = mean(this.stats.get(scheme)?.heterogeneity);
    if (own !== undefined) return own;
    const others = [...this.stats.entries()].filter(([k]) => k !== EXACT && k !== scheme).map(([, st]) => mean(st.heterogeneity)).filter((h): h is number => h !== undefined);
    return others.length > 0 ? Math.max(...others) : this.prior;
  }

  /** v for the candidate (0 when exact). */
  relativeVariance(c: Candidate): number {
    return c.exact ? 0 : this.heterogeneity(c.scheme) * this.shape(c);
  }

  /**
   * β of F = 1 + β·v: from the scheme's measured contractions; ∞ for a scheme that stalls. Not
   * yet measured: the largest β measured for another approximate scheme (one stalling at the
   * noise floor means any estimate stalls there: the floor is the data's), else 1.
   */
  calibration(scheme: string): number {
    const own = this.ownCalibration(scheme);
    if (own !== undefined) return own;
    const others = [...this.stats.keys()].filter((k) => k !== EXACT && k !== scheme).map((k) => this.ownCalibration(k)).filter((b): b is number => b !== undefined);
    return others.length > 0 ? Math.max(...others) : 1;
  }

  /** β from the scheme's own contractions, or undefined before `minContractions` of them (and of the exact ones). */
  private ownCalibration(scheme: string): number | undefined {
    const exact = this.stats.get(EXACT)?.logRatios ?? [];
    const s = this.stats.get(scheme);
    if (!s || exact.length < this.minContractions || s.logRatios.length < this.minContractions) return undefined;
    const le = mean(exact)!;
    const ls = mean(s.logRatios)!;
    if (!(le < 0)) return 1;
    if (!(ls < 0)) return Infinity;
    const v = mean(s.errors);
    if (v === undefined || v <= 0) return 1;
    return Math.max(0, (le / ls - 1) / v);
  }

  /** The monitored error (‖∇f‖/‖∇f(0)‖) at this round. */
  observeError(error: number): void {
    if (error > 0 && Number.isFinite(error)) this.currentError = error;
  }

  /**
   * An approximate estimate stopped making progress at the current error: the noise floor is the
   * data's, not the scheme's, so below FLOOR_MARGIN × this level every estimate costs ∞ from now
   * on (the monitored error of a descent only goes down; the contraction windows alone would
   * forget the stall once an exact scheme's zig-zag hides its own progress).
   */
  markStall(): void {
    if (this.currentError !== undefined) this.stallFloor = Math.max(this.stallFloor ?? 0, this.currentError);
  }

  /** Iterations relative to an exact scheme: 1 + β·v (1 when exact). */
  iterationFactor(c: Candidate): number {
    if (c.exact) return 1;
    if (this.stallFloor !== undefined && this.currentError !== undefined && this.currentError <= FLOOR_MARGIN * this.stallFloor) return Infinity;
    const beta = this.calibration(c.scheme);
    const v = this.relativeVariance(c);
    return beta === Infinity ? Infinity : 1 + beta * v;
  }

  /** (P − q)/(q(P − 1)) over the population P the scheme's first q answers are sampled from. */
  private shape(c: Candidate): number {
    const sampled = candidateScheme(c).sampling(c.blocks);
    if (!sampled) return 0;
    const { q, population } = sampled;
    return population > 1 ? (population - q) / (q * (population - 1)) : 0;
  }

  /** Geometric mean of the exact iterations' measured contractions (undefined before any). */
  contraction(): number | undefined {
    const m = mean(this.stats.get(EXACT)?.logRatios);
    return m === undefined ? undefined : Math.exp(m);
  }

  /** Exact iterations from `error` down to `target` at the measured contraction (undefined before any, or without progress). */
  iterationsToTarget(error: number, target: number): number | undefined {
    const rho = this.contraction();
    if (rho === undefined || !(rho < 1) || !(error > 0) || !(target > 0)) return undefined;
    return error <= target ? 0 : Math.log(target / error) / Math.log(rho);
  }

  describe(): { schemes: Record<string, { heterogeneity: number; calibration: number; measuredErrors: number; contraction: number | null }>; exactContraction: number | null } {
    const schemes: Record<string, { heterogeneity: number; calibration: number; measuredErrors: number; contraction: number | null }> = {};
    for (const [k, s] of this.stats) {
      if (k === EXACT) continue;
      const m = mean(s.logRatios);
      schemes[k] = { heterogeneity: this.heterogeneity(k), calibration: this.calibration(k), measuredErrors: s.errors.length, contraction: m === undefined ? null : Math.exp(m) };
    }
    return { schemes, exactContraction: this.contraction() ?? null };
  }
}

function mean(xs: readonly number[] | undefined): number | undefined {
  if (!xs || xs.length === 0) return undefined;
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
