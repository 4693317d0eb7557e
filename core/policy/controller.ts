import { RuntimeModel, type ChangeEvent, type Execution, type RuntimeSummary, type TaskTiming } from '../runtime';
import type { Candidate } from './candidates';
import type { DecideContext, Decision, PredictionRow } from './chooser';
import { ErrorCostModel } from './error-cost';
import type { Placement } from './predictor';

/**
 * The adaptive policy's bookkeeping while a job runs (pure; the clock is injected): it feeds the
 * runtime and error-cost models every round, says when a decision is due (every `period` rounds
 * at least, and no more often than keeps the decisions' CPU within `budget` of the job's wall
 * time so far: a decision simulates every candidate), asks the decider, and keeps what result.json
 * reports (every decision with its reason and predicted times, re-plans counted and timed).
 * A change the runtime model detects makes the next decision due without waiting `period`
 * (still within the budget); an estimate that stalls makes it due at once.
 * The job-side driver carries decisions out (placement, probes).
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
}

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

  constructor(
    private readonly decider: PlacementDecider,
    private jobWorkers: readonly number[],
    private readonly opts: ControllerOptions,
  ) {
    this.model = new RuntimeModel({ execution: opts.execution ?? 'sequential' });
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

  /** One round's task timings (probes' included). Returns the changes the model detected. */
  observeRound(round: number, timings: readonly TaskTiming[]): ChangeEvent[] {
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
   * A decision is due at `round`: at once when the estimate in force stalls; when the model saw a
   * change, or `period` rounds have passed, if the decisions so far have taken at most `budget`
   * of the wall time.
   */
  due(round: number): boolean {
    if (this.stalled) return true;
    const withinBudget = this.decideSeconds <= this.opts.budget * (this.now() - this.started);
    // A change skips the wait, not the budget: on a fast job the detector's verdicts on
    // microsecond noise would otherwise buy decisions that cost more than the rounds they tune.
    if (this.changed) return withinBudget;
    return round - this.lastDecisionRound >= this.opts.period && withinBudget;
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

  recordReplan(r: ReplanRecord): void {
    this.replanList.push(r);
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
