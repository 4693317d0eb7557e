import { RuntimeModel, type ChangeEvent, type Execution, type RuntimeSummary, type TaskTiming } from '../runtime';
import type { Candidate } from './candidates';
import type { DecideContext, Decision, PredictionRow } from './chooser';
import { ErrorCostModel } from './error-cost';
import type { Placement } from './predictor';

/**
 * The adaptive policy's bookkeeping while a job runs (pure; the clock is injected): it feeds the
 * runtime and error-cost models every round, says when a decision is due, asks the decider, and
 * keeps what result.json reports (every decision with its reason and predicted times, re-plans
 * counted and timed). The job-side driver carries decisions out (placement, probes).
 *
 * When a decision is due. With a prior (the job's declared delays, PlacementDecider.prior) the
 * first one is made before the first round, so the job starts under the plan the declared delays
 * favour instead of learning under wait-all. After that, a decision is exploration that must pay
 * for itself: it costs CPU (every candidate simulated: tens of milliseconds, as much as several
 * rounds of a fast job), so it is due only when
 *   - `period` rounds have passed, the decisions so far are within `budget` of the job's wall
 *     time, and the most it could gain (the decider's expectedGain per iteration, from the plan in
 *     force as measured since it was placed against the best the last decision predicted) times
 *     the iterations left exceeds what a decision costs (the mean of those made); on a short job,
 *     or once the plan in force runs as fast as predicted, it commits;
 *   - or the runtime model saw a change (the predictions are stale; within the budget);
 *   - or the slow-worker watch, run every round between decisions (cheap: no candidate weighed),
 *     flagged or cleared a worker (within the budget);
 *   - or the estimate in force stalls (at once).
 * Between decisions the watch still sends the left-out workers their probes.
 */
export interface PlacementDecider {
  /** The placement in force. */
  placement(): Placement;
  /** The job's live workers changed. */
  setWorkers(workers: readonly number[]): void;
  decide(round: number, model: RuntimeModel, errors: ErrorCostModel, ctx: DecideContext): Decision;
  /** Work done once before the job's rounds (planning the candidates). */
  prepare?(): void;
  /** Candidates the decider skipped because their scheme refused these sizes. */
  refusals?(): string[];
  /** Pseudo-samples of each worker's slowdown the runtime model starts from (the declared delays). */
  prior?(): ReadonlyMap<number, readonly number[]> | undefined;
  /** Seconds per iteration a decision now could gain at most, the plan in force measured at `measuredSeconds` (Infinity: unknown). */
  expectedGain?(measuredSeconds?: number): number;
  /** Between decisions: the left-out workers due a probe, and whether the slow-worker judgement changed (events). */
  watch?(round: number, model: RuntimeModel): { probe: number[]; events: string[] };
}

/** What a decision is taken to cost before one has been timed (seconds of CPU). */
export const FIRST_DECISION_SECONDS = 0.02;
/** Rounds of the plan in force whose mean time stands for it (at least MIN_MEASURED_ROUNDS). */
const MEASURED_ROUNDS = 20;
const MIN_MEASURED_ROUNDS = 3;

/** Between iterations: decide now, or only send these left-out workers a probe. */
export type NextStep = { decide: true; why: string } | { decide: false; probe: number[] };

export interface ControllerOptions {
  /** Rounds between decisions, at least. */
  period: number;
  /** Share of the wall time decisions may take. */
  budget: number;
  execution?: Execution;
  /** Seconds on a monotonic clock (default performance.now). */
  now?: () => number;
}

/** One decision as result.json lists it. */
export interface DecisionRecord {
  round: number;
  from: string;
  to: string;
  replan: boolean;
  reason: string;
  /** Predicted seconds per iteration (error cost included) of the placement before and of the one chosen. */
  predictedSeconds: { from: number | null; to: number | null };
  excluded: number[];
  probe: number[];
  /** Seconds the decision took (simulating the candidates). */
  decideSeconds: number;
}

export interface ReplanRecord {
  round: number;
  from: string;
  to: string;
  /** Wall seconds of the re-placement (streaming blocks, dropping the rest). */
  seconds: number;
  bytesPlaced: number;
  /** Rows of stored blocks streamed (placementDiff's rowsToSend) and blocks dropped. */
  rowsPlaced: number;
  blocksDropped: number;
}

export interface AdaptiveReport {
  /** The placement the job ended under. */
  final: string;
  decisions: DecisionRecord[];
  replans: { count: number; seconds: number; bytesPlaced: number; list: ReplanRecord[] };
  decisionsMade: number;
  decisionSeconds: number;
  /** Rounds at which the cadence allowed a decision that was not made: the most it could gain over the iterations left was below what one costs. */
  decisionsSkipped: number;
  /** A decision made before the first round from the declared delays (the prior). */
  startedFromPrior: boolean;
  /** The calibration before that decision: the answers' overheads it measured (seconds), and its wall seconds; null when none ran. */
  calibration: { rounds: number; roundsKept: number; answers: number; seconds: number; overhead: { p50: number; max: number } | null } | null;
  probes: { sent: number; answered: number };
  changes: { worker: number; cluster: number };
  runtime: RuntimeSummary;
  errorCost: ReturnType<ErrorCostModel['describe']>;
  refusals: string[];
}

/** "replication r=2 without workers 3, 5" */
export function placementLabel(p: Placement, jobWorkers: readonly number[]): string {
  const out = jobWorkers.filter((w) => !p.workers.includes(w));
  return out.length === 0 ? p.candidate.label : `${p.candidate.label} without worker${out.length > 1 ? 's' : ''} ${out.join(', ')}`;
}

export class AdaptiveController {
  readonly model: RuntimeModel;
  readonly errors = new ErrorCostModel();
  private readonly now: () => number;
  private readonly started: number;
  private lastDecisionRound = -Infinity;
  private decideSeconds = 0;
  private readonly decisionList: DecisionRecord[] = [];
  private readonly replanList: ReplanRecord[] = [];
  private readonly changeCount = { worker: 0, cluster: 0 };
  private probesSent = 0;
  /** The model saw a change since the last decision: due without waiting `period` (within the budget). */
  private changed = false;
  /** The estimate in force stalls: due at once, budget or not. */
  private stalled = false;
  private probesAnswered = 0;
  /** The last monitored error and the candidate whose iteration starts from it. */
  private last: { candidate: Candidate; error: number } | undefined;
  /** Seconds of the rounds run under the placement in force (the last MEASURED_ROUNDS). */
  private inForceSeconds: number[] = [];
  private skipped = 0;
  private fromPrior = false;
  private lastWatchRound = -Infinity;
  private calibration: AdaptiveReport['calibration'] = null;

  constructor(
    private readonly decider: PlacementDecider,
    private jobWorkers: readonly number[],
    private readonly opts: ControllerOptions,
  ) {
    this.model = new RuntimeModel({ execution: opts.execution ?? 'sequential' });
    const prior = decider.prior?.();
    if (prior && prior.size > 0) this.model.seedPrior(prior);
    this.now = opts.now ?? (() => performance.now() / 1000);
    this.started = this.now();
    if (!(opts.period >= 1)) throw new RangeError('adaptive controller: period must be ≥ 1');
    if (!(opts.budget > 0 && opts.budget <= 1)) throw new RangeError('adaptive controller: budget must be in (0, 1]');
  }

  placement(): Placement {
    return this.decider.placement();
  }

  label(p: Placement = this.placement()): string {
    return placementLabel(p, this.jobWorkers);
  }

  /**
   * One round's task timings (probes' included), and the round's wall seconds (what the plan in
   * force is measured by). Returns the changes the model detected.
   */
  observeRound(round: number, timings: readonly TaskTiming[], roundSeconds?: number): ChangeEvent[] {
    if (roundSeconds !== undefined && Number.isFinite(roundSeconds)) {
      this.inForceSeconds.push(roundSeconds);
      if (this.inForceSeconds.length > MEASURED_ROUNDS) this.inForceSeconds.shift();
    }
    const changes = this.model.observeRound(round, timings);
    for (const c of changes) this.changeCount[c.scope]++;
    // A change is when deciding matters most: the next decision need not wait `period` rounds.
    if (changes.length > 0) this.changed = true;
    return changes;
  }

  /**
   * The gradient a round decoded against the exact one the master knows: e = ‖ĝ − g‖²/‖g‖²
   * (approximate candidates only), and the monitored error (‖∇f‖/‖∇f(0)‖) before the step, whose
   * ratio to the previous one is the contraction of the previous iteration's candidate.
   */
  observeGradient(c: Candidate, relativeSquaredError: number | undefined, errorBefore: number): void {
    if (!c.exact && relativeSquaredError !== undefined) this.errors.observeSquaredError(c, relativeSquaredError);
    if (this.last && this.last.error > 0 && errorBefore > 0) this.errors.observeContraction(this.last.candidate, errorBefore / this.last.error);
    this.last = { candidate: c, error: errorBefore };
    this.errors.observeError(errorBefore);
    // An estimate that has stopped making progress (the noise floor) must be left at once, and
    // no estimate is taken again below that floor.
    if (!c.exact && this.errors.iterationFactor(c) === Infinity) {
      this.errors.markStall();
      this.stalled = true;
    }
  }

  /** Exact iterations still needed to bring the monitored error to `target`, from the measured contraction. */
  remainingIterations(target: number, roundsLeft: number): number {
    const est = this.last ? this.errors.iterationsToTarget(this.last.error, target) : undefined;
    return Math.max(1, Math.min(roundsLeft, est ?? roundsLeft));
  }

  /**
   * Seconds per iteration of the plan in force as run since it was placed (the mean of its last
   * rounds), or undefined before MIN_MEASURED_ROUNDS of them.
   */
  measuredIterationSeconds(): number | undefined {
    const xs = this.inForceSeconds;
    if (xs.length < MIN_MEASURED_ROUNDS) return undefined;
    return (xs.reduce((a, b) => a + b, 0) / xs.length) * this.placement().candidate.roundsPerIteration;
  }

  /** What a decision costs: the mean CPU seconds of those made, FIRST_DECISION_SECONDS before any. */
  decisionCost(): number {
    return this.decisionList.length > 0 ? this.decideSeconds / this.decisionList.length : FIRST_DECISION_SECONDS;
  }

  private withinBudget(): boolean {
    return this.decideSeconds <= this.opts.budget * (this.now() - this.started);
  }

  /**
   * A decision is due at `round` (see the class comment): at once when the estimate in force
   * stalls; on a change the model saw, within the budget; every `period` rounds within the budget
   * when it may pay for itself over `remainingIterations` (when given).
   */
  due(round: number, ctx: { remainingIterations?: number } = {}): boolean {
    if (this.stalled) return true;
    // A change skips the wait, not the budget: on a fast job the detector's verdicts on
    // microsecond noise would otherwise buy decisions that cost more than the rounds they tune.
    if (this.changed) return this.withinBudget();
    if (!(round - this.lastDecisionRound >= this.opts.period && this.withinBudget())) return false;
    if (ctx.remainingIterations === undefined || !this.decider.expectedGain) return true;
    const gain = this.decider.expectedGain(this.measuredIterationSeconds());
    if (gain * ctx.remainingIterations > this.decisionCost()) return true;
    this.skipped++;
    return false;
  }

  /**
   * Between iterations: a decision when one is due; else the slow-worker watch (probes of the
   * left-out workers, and a decision after all when it flagged or cleared a worker).
   */
  next(round: number, ctx: { remainingIterations?: number } = {}): NextStep {
    if (this.due(round, ctx)) return { decide: true, why: this.stalled ? 'stalled' : this.changed ? 'change' : 'due' };
    // The watch reads every worker's recent samples: as often as decisions would come, not every round.
    if (!this.decider.watch || round - Math.max(this.lastDecisionRound, this.lastWatchRound) < this.opts.period) return { decide: false, probe: [] };
    this.lastWatchRound = round;
    const w = this.decider.watch(round, this.model);
    if (w.events.length > 0 && this.withinBudget()) return { decide: true, why: w.events.join('; ') };
    this.probesSent += w.probe.length;
    return { decide: false, probe: w.probe };
  }

  /**
   * The decision before the first round, from the prior alone (no-op without one): the job
   * starts under what the declared delays favour. Not a re-plan: nothing is placed yet.
   */
  decideAtStart(live: readonly number[], ctx: DecideContext): Decision | undefined {
    if (this.model.priorSamples === 0) return undefined;
    const d = this.decide(0, live, ctx);
    this.fromPrior = true;
    const rec = this.decisionList[this.decisionList.length - 1]!;
    rec.replan = false;
    // The blocklist counts a first reading as `ratioRounds` of evidence; here it is the declaration.
    rec.reason = d.reason.replace(/^round 0: /, 'round 0 (declared delays, before any round): ').replace(/ the median for \d+ rounds/g, ' the median (declared)');
    this.inForceSeconds = [];
    return { ...d, replan: false, reason: rec.reason };
  }

  decide(round: number, live: readonly number[], ctx: DecideContext): Decision {
    const from = this.placement();
    const fromLabel = this.label(from);
    if (live.length !== this.jobWorkers.length || live.some((w, i) => this.jobWorkers[i] !== w)) {
      this.jobWorkers = [...live];
      this.decider.setWorkers(live);
    }
    const t0 = this.now();
    const d = this.decider.decide(round, this.model, this.errors, ctx);
    const t1 = this.now();
    const took = t1 - t0;
    this.decideSeconds += took;
    this.lastDecisionRound = round;
    this.changed = false;
    this.stalled = false;
    this.probesSent += d.probe.length;
    if (d.replan) this.inForceSeconds = [];
    this.decisionList.push({
      round,
      from: fromLabel,
      to: this.label({ candidate: d.candidate, workers: d.workers }),
      replan: d.replan,
      reason: d.reason,
      predictedSeconds: { from: predicted(d.predictions, from), to: predicted(d.predictions, { candidate: d.candidate, workers: d.workers }) },
      excluded: d.excluded,
      probe: d.probe,
      decideSeconds: took,
    });
    return d;
  }

  /**
   * A calibration's answer overheads (measured outside the job's rounds, before the decision from
   * the prior): into the runtime model's pooled overheads, which the predictor draws per answer.
   */
  recordCalibration(c: { rounds: number; roundsKept?: number; overheads: readonly number[]; seconds: number }): void {
    this.model.observeOverheads(c.overheads);
    const s = [...c.overheads].sort((a, b) => a - b);
    this.calibration = { rounds: c.rounds, roundsKept: c.roundsKept ?? c.rounds, answers: s.length, seconds: c.seconds, overhead: s.length > 0 ? { p50: s[s.length >> 1]!, max: s[s.length - 1]! } : null };
  }

  recordReplan(r: ReplanRecord): void {
    this.replanList.push(r);
  }

  /** A probe a decision asked for was not sent (the worker was still on its last one). */
  probeNotSent(): void {
    this.probesSent--;
  }

  probeAnswered(): void {
    this.probesAnswered++;
  }

  /** Wall seconds since the controller started. */
  elapsed(): number {
    return this.now() - this.started;
  }

  report(): AdaptiveReport {
    return {
      final: this.label(),
      decisions: this.decisionList,
      replans: {
        count: this.replanList.length,
        seconds: this.replanList.reduce((s, r) => s + r.seconds, 0),
        bytesPlaced: this.replanList.reduce((s, r) => s + r.bytesPlaced, 0),
        list: this.replanList,
      },
      decisionsMade: this.decisionList.length,
      decisionSeconds: this.decideSeconds,
      decisionsSkipped: this.skipped,
      startedFromPrior: this.fromPrior,
      calibration: this.calibration,
      probes: { sent: this.probesSent, answered: this.probesAnswered },
      changes: { ...this.changeCount },
      runtime: this.model.summary(),
      errorCost: this.errors.describe(),
      refusals: this.decider.refusals?.() ?? [],
    };
  }
}

/** The predicted score of a placement in a decision's table (null when it was not weighed). */
function predicted(rows: readonly PredictionRow[], p: Placement): number | null {
  const r = rows.find((x) => x.label === p.candidate.label && x.workers.length === p.workers.length && x.workers.every((w, i) => p.workers[i] === w));
  return r ? r.score : null;
}
