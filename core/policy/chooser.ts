import type { DeclaredDelays } from '../../shared/chaos';
import { InputError } from '../../shared/errors';
import type { RuntimeModel } from '../runtime';
import { SlowWorkerBlocklist, type BlocklistOptions, type BlocklistUpdate } from './blocklist';
import { candidateKey, candidateSet, type Candidate, type CandidateOptions } from './candidates';
import type { ErrorCostModel } from './error-cost';
import { PlanCache, pairedDifference, predictIterations, type IterationPrediction, type Placement, type PredictorOptions } from './predictor';
import { declaredPrior } from './prior';

/**
 * The adaptive chooser: every few rounds, from the runtime model, predicts each candidate's
 * seconds per iteration (Monte Carlo over the real plans and decoders, see predictor.ts), weighs
 * approximate ones by their error cost (error-cost.ts), and picks the least predicted time to
 * the target, on all workers or without the persistently slow ones (blocklist.ts). Pure: the
 * integration feeds it rounds and the models, and carries out its decision (re-plan, probes).
 *
 * Hysteresis, so a noisy estimate does not flap between near-equal schemes: a switch needs the
 * best to beat the current choice's prediction by `margin` (relative) and by two standard errors
 * of their paired difference, to pay back `replanSeconds` over the remaining iterations, and
 * `minDwellRounds` since the last switch, unless the model reported a change since the last
 * decision or the current choice cannot finish at all.
 */
export interface AdaptiveJob {
  /** The job's workers (live, physical indices). */
  workers: readonly number[];
  /** Rows of the data (A's rows), for each slot's work. */
  rows: number;
  /** Seed for the randomized plans (the same the job plans with). */
  seed: number;
  /** The job accepts approximate gradients (candidates that decode estimates). */
  approximate: boolean;
  /** The gradient can be two coded matrix-vector products (candidates of coded schemes). */
  coded: boolean;
  /** The data, for the plans that need it (leverage scores): their candidates only when given. */
  data?: { rows: number; cols: number; A: Float64Array };
  /** The delays the job declares (its chaos), the prior the runtime model may start from. */
  declared?: DeclaredDelays;
}

export interface ChooserOptions {
  /**
   * Rounds of measurements the declared delays stand for as the runtime model's prior (0: no
   * prior, learn from the rounds alone). With a prior the first decision is made before the first
   * round (the job starts under the plan the declared delays favour), without one after
   * `warmupRounds`. Default 0.
   */
  priorRounds?: number;
  /** Relative improvement a switch needs. Default 0.1. */
  margin?: number;
  /** Rounds between switches (a model change overrides). Default 10. */
  minDwellRounds?: number;
  /** Rounds measured before the first decision. Default 5. */
  warmupRounds?: number;
  /** Seconds a re-plan costs (moving blocks), or a function of the move. Default 0. */
  replanSeconds?: number | ((from: Placement, to: Placement) => number);
  /** Iterations left when the caller does not say. Default 100. */
  defaultRemainingIterations?: number;
  /** The plan before any measurement. Default wait-all on every worker. */
  initial?: Candidate;
  predictor?: PredictorOptions;
  blocklist?: BlocklistOptions;
  /** Only these schemes (registry names) are weighed. */
  schemes?: readonly string[];
  /** Schemes' parameter grids, narrowed (CandidateOptions.grids). */
  grids?: CandidateOptions['grids'];
  /** Leave out the candidates a scheme knows never win (CandidateOptions.prune). */
  prune?: boolean;
}

export interface PredictionRow {
  label: string;
  workers: number[];
  /** Predicted mean seconds per iteration, and its standard error. */
  seconds: number;
  standardError: number;
  /** 1 + v: iterations relative to an exact scheme. */
  iterationFactor: number;
  /** seconds × iterationFactor: what is minimized. */
  score: number;
}

export interface Decision {
  round: number;
  candidate: Candidate;
  /** Physical workers of the plan: logical host i is workers[i]. */
  workers: number[];
  /** Flagged slow workers left out of the plan. */
  excluded: number[];
  /** Left-out workers to send one probe task this round (time it, feed it to the model, drop the result). */
  probe: number[];
  /** The plan differs from the previous decision's (scheme, parameters or workers): re-place. */
  replan: boolean;
  /** "round 40: worker 3 at 4.1× the median for 20 rounds -> frc s=1 -> replication r=2 without worker 3 (...)" */
  reason: string;
  /** Every candidate weighed, best first (empty while warming up). */
  predictions: PredictionRow[];
}

export interface DecideContext {
  /** Exact iterations still needed (from the error cost model's contraction, or the round budget). */
  remainingIterations?: number;
  /** Seconds every round costs beyond the workers' time (latency, dispatch, decoding), as measured. */
  overheadSeconds?: number;
}

export class AdaptiveChooser {
  private readonly o: Required<Omit<ChooserOptions, 'initial' | 'predictor' | 'blocklist' | 'schemes' | 'grids' | 'prune'>>;
  /** The last decision's predicted score of the placement it left in force, and the best score. */
  private lastScores: { inForce: number; best: number; factor: number; measured: boolean } | undefined;
  /** A blocklist update made between decisions (watch), which the decision at the same round reuses. */
  private watched: { round: number; upd: BlocklistUpdate } | undefined;
  private readonly plans: PlanCache;
  private readonly blocklist: SlowWorkerBlocklist;
  private current: Placement;
  private lastSwitch = -Infinity;
  private lastDecision = -Infinity;
  private readonly history: Decision[] = [];

  constructor(
    private job: AdaptiveJob,
    private readonly opts: ChooserOptions = {},
  ) {
    if (job.workers.length < 1) throw new RangeError('adaptive chooser: no workers');
    this.o = {
      margin: opts.margin ?? 0.1,
      minDwellRounds: opts.minDwellRounds ?? 10,
      warmupRounds: opts.warmupRounds ?? 5,
      replanSeconds: opts.replanSeconds ?? 0,
      defaultRemainingIterations: opts.defaultRemainingIterations ?? 100,
      priorRounds: opts.priorRounds ?? 0,
    };
    this.plans = new PlanCache({ rows: job.rows, jobWorkers: job.workers.length, seed: job.seed, ...(job.data ? { data: job.data } : {}) });
    this.blocklist = new SlowWorkerBlocklist(opts.blocklist);
    const initial = opts.initial ?? candidateSet(job.workers.length, this.candidateOptions())[0];
    if (!initial) throw new InputError(`adaptive chooser: no candidate scheme runs on ${job.workers.length} workers`);
    this.current = { candidate: initial, workers: [...job.workers] };
  }

  /** The placement in force. */
  placement(): Placement {
    return this.current;
  }

  /** Decisions made so far, for result.json (prediction tables kept for re-plans and the latest only). */
  decisions(): readonly Decision[] {
    return this.history;
  }

  /** The live workers changed (one lost, one joined): later decisions plan over these. */
  setWorkers(workers: readonly number[]): void {
    this.job = { ...this.job, workers: [...workers] };
  }

  /**
   * The declared delays as pseudo-samples of each worker's slowdown, for the runtime model to
   * start from (undefined: no prior, or nothing declared).
   */
  prior(): Map<number, number[]> | undefined {
    if (this.o.priorRounds < 1) return undefined;
    return declaredPrior(this.job.declared, this.job.workers, { rounds: this.o.priorRounds, seed: this.job.seed });
  }

  /**
   * What a decision now could gain per iteration at most: how much the best placement of the last
   * decision was predicted to beat the one in force beyond the switching margin, with the one in
   * force at `measuredSeconds` per iteration (as run since it was placed) when given, else at its
   * prediction. Infinity before any prediction from measured rounds (a decision on the prior alone
   * knew nothing of the answers' overheads or of how the cluster really runs: the first look at
   * measurements is always worth one). A decision costs CPU (every candidate simulated); the
   * controller weighs this gain over the iterations left against that cost.
   */
  expectedGain(measuredSeconds?: number): number {
    const s = this.lastScores;
    if (!s || !s.measured) return Infinity;
    const inForce = measuredSeconds !== undefined && Number.isFinite(measuredSeconds) ? measuredSeconds * s.factor : s.inForce;
    if (!Number.isFinite(inForce)) return Infinity;
    return Math.max(0, inForce * (1 - this.o.margin) - s.best);
  }

  /**
   * Between decisions: re-judges the slow workers (who is flagged, which left-out worker is due a
   * probe) without weighing any candidate. `events` not empty (a worker flagged or recovered)
   * means the candidates should be weighed again: a decision at this round reuses this update.
   */
  watch(round: number, model: RuntimeModel): { probe: number[]; events: string[] } {
    if (model.snapshot() === undefined) return { probe: [], events: [] };
    const upd = this.blocklist.update(round, this.job.workers, model.recentRatios(), model.latestRatios());
    this.watched = { round, upd };
    const excluded = this.job.workers.filter((w) => !this.current.workers.includes(w));
    return { probe: upd.probe.filter((w) => excluded.includes(w)), events: upd.events };
  }

  decide(round: number, model: RuntimeModel, errors: ErrorCostModel, ctx: DecideContext = {}): Decision {
    const changes = model.changes.filter((e) => e.round > this.lastDecision && e.round <= round);
    this.lastDecision = round;
    const snapshot = model.snapshot();
    if (!snapshot || (model.rounds < this.o.warmupRounds && model.priorSamples === 0)) {
      return this.record(round, this.current, false, `round ${round}: ${model.rounds} rounds measured, warming up -> ${this.describe(this.current)}`, [], []);
    }
    const live = new Set(this.job.workers);
    const upd = this.watched?.round === round ? this.watched.upd : this.blocklist.update(round, this.job.workers, model.recentRatios(), model.latestRatios());
    this.watched = undefined;
    const flagged = upd.flagged.filter((w) => live.has(w));
    const sets: number[][] = [[...this.job.workers]];
    const rest = this.job.workers.filter((w) => !flagged.includes(w));
    if (flagged.length > 0 && rest.length >= 2) sets.push(rest);

    const placements: Placement[] = [];
    for (const set of sets) {
      for (const c of candidateSet(set.length, this.candidateOptions())) if (this.plans.tryGet(c, set.length)) placements.push({ candidate: c, workers: set });
    }
    const currentLive = this.current.workers.every((w) => live.has(w));
    let curIndex = placements.findIndex((p) => samePlacement(p, this.current));
    if (curIndex < 0 && currentLive) {
      placements.push(this.current);
      curIndex = placements.length - 1;
    }
    const preds = predictIterations(placements, snapshot, this.plans, {
      ...this.opts.predictor,
      ...(curIndex >= 0 ? { keep: [curIndex] } : {}),
      ...(ctx.overheadSeconds !== undefined ? { overheadSeconds: ctx.overheadSeconds } : {}),
    });
    const scored = preds.map((p) => ({ p, factor: errors.iterationFactor(p.placement.candidate) })).map((x) => ({ ...x, score: x.p.seconds * x.factor }));
    let bestIndex = 0;
    scored.forEach((s, i) => {
      if (s.score < scored[bestIndex]!.score) bestIndex = i;
    });
    const best = scored[bestIndex]!;
    const rows = scored
      .map((s) => row(s.p, s.factor, s.score))
      .sort((a, b) => a.score - b.score);

    // What the decision rests on: the model's changes and the blocklist's events, or else the
    // workers that are slow right now (so a switch made for them says so).
    const slowNow = [...model.recentRatios()]
      .filter(([w, r]) => live.has(w) && r >= this.blocklist.slowFactor && !upd.flagged.includes(w))
      .sort((a, b) => b[1] - a[1])
      .map(([w, r]) => `worker ${w} at ${r.toFixed(1)}× the median`);
    const events = [...changes.map((e) => e.description), ...upd.events];
    const triggers = events.length > 0 ? events : slowNow;
    const lead = `round ${round}: ${triggers.length ? `${triggers.join('; ')} -> ` : ''}`;
    let next = this.current;
    let reason: string;
    if (!Number.isFinite(best.score)) {
      reason = `${lead}keep ${this.describe(this.current)} (no candidate is predicted to finish a round)`;
    } else if (curIndex < 0) {
      next = best.p.placement;
      reason = `${lead}${this.describe(this.current)} lost a worker -> ${this.describe(next)} (${ms(best.p.seconds)} per iteration)`;
    } else {
      const cur = scored[curIndex]!;
      const diff = pairedDifference(
        cur.p.samples.map((v) => v * cur.factor),
        best.p.samples.map((v) => v * best.factor),
      );
      const remaining = ctx.remainingIterations ?? this.o.defaultRemainingIterations;
      const cost = typeof this.o.replanSeconds === 'function' ? this.o.replanSeconds(this.current, best.p.placement) : this.o.replanSeconds;
      const dwellOk = round - this.lastSwitch >= this.o.minDwellRounds || changes.length > 0 || !Number.isFinite(cur.score);
      const clear = best.score <= cur.score * (1 - this.o.margin) && (diff.mean > 2 * diff.se || !Number.isFinite(cur.score));
      const pays = diff.mean * remaining > cost || !Number.isFinite(cur.score);
      if (bestIndex !== curIndex && clear && pays && dwellOk) {
        next = best.p.placement;
        reason = `${lead}${this.describe(this.current)} -> ${this.describe(next)} (predicted ${ms(cur.score)} -> ${ms(best.score)} per iteration${best.factor > 1 ? `, error cost ×${best.factor.toFixed(2)} included` : ''})`;
      } else {
        const why =
          bestIndex === curIndex
            ? 'still predicted fastest'
            : !clear
              ? `${this.describe(best.p.placement)} ${pct(1 - best.score / cur.score)} faster, within the ${pct(this.o.margin)} margin or the noise`
              : !pays
                ? `switching to ${this.describe(best.p.placement)} would not pay back its re-plan over ${remaining.toFixed(0)} iterations`
                : `${this.describe(best.p.placement)} is faster but the last switch was ${round - this.lastSwitch} rounds ago`;
        reason = `${lead}keep ${this.describe(this.current)} (${ms(cur.score)} per iteration; ${why})`;
      }
    }
    const replan = !samePlacement(next, this.current);
    if (replan) this.lastSwitch = round;
    this.current = next;
    const inForce = scored.find((x) => samePlacement(x.p.placement, next));
    this.lastScores = inForce ? { inForce: inForce.score, best: best.score, factor: inForce.factor, measured: model.rounds > 0 } : undefined;
    const excluded = this.job.workers.filter((w) => !next.workers.includes(w));
    this.blocklist.setExcluded(round, excluded);
    const probe = upd.probe.filter((w) => excluded.includes(w));
    return this.record(round, next, replan, reason, rows, probe);
  }

  /**
   * Plans every candidate on all the workers and on all but one (what a decision may weigh), so
   * the first decisions do not pay for planning (leverage scores, codes): part of the job's setup.
   */
  prepare(): void {
    const N = this.job.workers.length;
    for (const n of N > 2 ? [N, N - 1] : [N]) for (const c of candidateSet(n, this.candidateOptions())) this.plans.tryGet(c, n);
  }

  /** Candidates skipped because their scheme refused the sizes (e.g. an mds code too large to verify). */
  refusals(): string[] {
    return this.plans.refusals();
  }

  private record(round: number, p: Placement, replan: boolean, reason: string, predictions: PredictionRow[], probe: number[]): Decision {
    // Keep every decision's reason, but the full prediction table only for re-plans and the latest.
    const prev = this.history[this.history.length - 1];
    if (prev && !prev.replan) prev.predictions = [];
    const d: Decision = {
      round,
      candidate: p.candidate,
      workers: [...p.workers],
      excluded: this.job.workers.filter((w) => !p.workers.includes(w)),
      probe,
      replan,
      reason,
      predictions,
    };
    this.history.push(d);
    return d;
  }

  /** "replication r=2 without worker 3" */
  private describe(p: Placement): string {
    const out = this.job.workers.filter((w) => !p.workers.includes(w));
    return out.length === 0 ? p.candidate.label : `${p.candidate.label} without worker${out.length > 1 ? 's' : ''} ${out.join(', ')}`;
  }

  private candidateOptions(): CandidateOptions {
    return {
      approximate: this.job.approximate,
      coded: this.job.coded,
      data: this.job.data !== undefined,
      ...(this.opts.schemes ? { schemes: this.opts.schemes } : {}),
      ...(this.opts.grids ? { grids: this.opts.grids } : {}),
      ...(this.opts.prune ? { prune: true } : {}),
    };
  }
}

function samePlacement(a: Placement, b: Placement): boolean {
  return candidateKey(a.candidate) === candidateKey(b.candidate) && a.workers.length === b.workers.length && a.workers.every((w, i) => b.workers[i] === w);
}


function row(p: IterationPrediction, factor: number, score: number): PredictionRow {
  return { label: p.placement.candidate.label, workers: [...p.placement.workers], seconds: p.seconds, standardError: p.standardError, iterationFactor: factor, score };
}

function ms(seconds: number): string {
  return Number.isFinite(seconds) ? `${(seconds * 1000).toPrecision(3)} ms` : 'never';
}

function pct(x: number): string {
  return `${(x * 100).toFixed(0)}%`;
}
