import type { DeclaredDelays } from '../../shared/chaos';
import type { Logger } from '../../shared/log';
import type { Matrix } from '../../shared/tensor';
import type { PlacedPlan, RoundOutcome, TaskPayload } from '../compute-cluster';
import { timingsFromRound, type Execution, type TaskTiming } from '../../core/runtime';
import { candidateKey, planCandidate, blockStartsFor, type Candidate } from '../../core/policy/candidates';
import type { Decision } from '../../core/policy/chooser';
import { AdaptiveController, placementLabel, type AdaptiveReport, type PlacementDecider } from '../../core/policy/controller';
import type { PolicyChoice } from '../../core/policy/policy-types';
import { placementDiff } from '../../core/policy/placement-diff';
import type { Placement } from '../../core/policy/predictor';
import { Replanner, type ReplanCluster } from './replanner';

type JobLabels = { job_kind: string; job_id: string };

/**
 * Rounds of a fresh placement the runtime model does not learn from: a plan's first rounds pay
 * for warming up (code paths compiled, buffers allocated, on every worker at once), several times
 * a steady round on a busy machine, and would make every plan that waits for many answers look
 * slow at the first decision.
 */
export const PLACEMENT_WARMUP_ROUNDS = 2;
/** Rounds of a calibration (the first warms connections and code up; the last is measured). */
export const CALIBRATION_ROUNDS = 2;
interface CounterOf<L> {
  inc(labels: L, value?: number): void;
}
interface GaugeOf<L> {
  set(labels: L, value: number): void;
  remove(labels: L): void;
}

/** The series an adaptive run publishes (the master's metrics have them; algorithms do not import the master). */
export interface AdaptiveMetrics {
  runtimeChanges: CounterOf<JobLabels & { scope: string }>;
  runtimeShift: GaugeOf<JobLabels & { worker: string }>;
  runtimeTailMean: GaugeOf<JobLabels & { worker: string }>;
  runtimeSlowness: GaugeOf<JobLabels & { worker: string }>;
  adaptiveDecisions: CounterOf<JobLabels>;
  adaptiveReplans: CounterOf<JobLabels>;
  adaptiveReplanSeconds: CounterOf<JobLabels>;
  adaptiveProbes: CounterOf<JobLabels>;
  adaptiveScheme: GaugeOf<JobLabels & { scheme: string; placement: string }>;
  adaptiveExcluded: GaugeOf<JobLabels>;
}

export interface AdaptiveRunSpec {
  jobId: string;
  A: Matrix;
  b?: Float64Array;
  seed: number;
  /** The job's `scheme:` as a policy (core/policy: chooseSchemeOrPolicy). */
  policy: PolicyChoice;
  /** The job can take its gradient as two coded products (default false: one additive round). */
  coded?: boolean;
  taskDeadlineSeconds?: number;
  log: Logger;
  metrics: AdaptiveMetrics;
  labels: { job_kind: string; job_id: string };
  /** How the workers run their tasks under the job's delay model. Default: the declared delays' (per: task -> parallel), else sequential. */
  execution?: Execution;
  /** The delays the job declares (its chaos at the start): how workers run their tasks, and the policy's prior. */
  declared?: DeclaredDelays;
  /** The decisions (default: the policy's decider); tests script them. */
  decider?: PlacementDecider;
  /**
   * The job's task at its start, which a calibration runs over one row on every worker before a
   * decision from the prior (the answers' overheads it measures are what the prior cannot
   * declare). Without it the first decision knows no overheads.
   */
  calibrationPayload?: TaskPayload;
}

export interface StepContext {
  /** The job's round counter after the round just observed. */
  round: number;
  /** Exact iterations still needed (the controller's estimate is used when absent). */
  remainingIterations: number;
  /** The payload a probe of a left-out worker computes (the current iterate's task). */
  probePayload: () => TaskPayload;
}

/**
 * An adaptive policy on a job's workers: the job's loop runs its rounds on `placed`, hands each
 * outcome to `observe` and asks `step` between iterations; this feeds the runtime and error-cost
 * models, decides when one is due, re-plans (incrementally), probes left-out workers, logs every
 * decision with its reason and keeps the Prometheus gauges. Shared by the job kinds that drive
 * adaptive policies (least squares).
 */
export class AdaptiveRun {
  private readonly controller: AdaptiveController;
  private readonly replanner: Replanner;
  private bytes = 0;
  private overhead: number | undefined;
  private readonly pending: TaskTiming[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** Left-out workers with a probe out. */
  private readonly probing = new Set<number>();
  private schemeSeries: (JobLabels & { scheme: string; placement: string }) | undefined;
  /** Rounds of the placement in force still warming up (not shown to the runtime model). */
  private warming = PLACEMENT_WARMUP_ROUNDS;

  private constructor(
    private readonly cluster: ReplanCluster,
    private readonly spec: AdaptiveRunSpec,
    decider: PlacementDecider,
  ) {
    const workers = cluster.liveWorkers();
    this.controller = new AdaptiveController(decider, workers, { period: spec.policy.period, budget: spec.policy.budget, execution: executionOf(spec) });
    this.replanner = new Replanner(cluster, {
      jobId: spec.jobId,
      A: spec.A,
      ...(spec.b ? { b: spec.b } : {}),
      seed: spec.seed,
      ...(spec.taskDeadlineSeconds !== undefined ? { taskDeadlineSeconds: spec.taskDeadlineSeconds } : {}),
    });
  }

  /** Places the first plan (wait-all on every worker, or the decider's initial one) and returns the run. */
  static async start(cluster: ReplanCluster, spec: AdaptiveRunSpec): Promise<AdaptiveRun> {
    const workers = cluster.liveWorkers();
    let run: AdaptiveRun | undefined;
    const decider =
      spec.decider ??
      spec.policy.decider(
        { workers, rows: spec.A.rows, seed: spec.seed, coded: spec.coded ?? false, data: { rows: spec.A.rows, cols: spec.A.cols, A: spec.A.data }, ...(spec.declared ? { declared: spec.declared } : {}) },
        { replanSeconds: (from, to) => run!.replanCost(from, to), execution: executionOf(spec) },
      );
    run = new AdaptiveRun(cluster, spec, decider);
    decider.prepare?.();
    // With a prior, the first plan is the decision the declared delays make (placed below, not a
    // re-plan). The prior declares the injected delays, not what every answer costs beyond them:
    // on workers sharing cores that is most of a fast round, and what decides between a plan that
    // waits for 7 answers and one that waits for 2. A calibration measures it first.
    if (run.controller.model.priorSamples > 0 && spec.calibrationPayload && spec.policy.params['calibrate'] !== false) await run.calibrate(spec.calibrationPayload);
    const atStart = run.controller.decideAtStart(workers, {});
    if (atStart) spec.log.info({ placement: run.controller.label() }, `adaptive: ${atStart.reason}`);
    const t0 = performance.now();
    const first = await run.replanner.apply(decider.placement());
    run.bytes += first.bytesPlaced;
    run.placeSeconds = (performance.now() - t0) / 1000;
    run.publishScheme();
    spec.log.info({ job: spec.jobId, placement: run.controller.label(), bytes: first.bytesPlaced }, 'adaptive: first placement');
    return run;
  }

  /** Times the answers' overheads before the first decision (Replanner.calibrate); a failure leaves the decision without them. */
  private async calibrate(payload: TaskPayload): Promise<void> {
    try {
      const c = await this.replanner.calibrate(CALIBRATION_ROUNDS, payload);
      this.bytes += c.bytesPlaced;
      this.controller.recordCalibration({ rounds: c.rounds, roundsKept: c.roundsKept, overheads: c.overheads, seconds: c.seconds });
      const s = [...c.overheads].sort((a, b) => a - b);
      this.spec.log.info({ job: this.spec.jobId, answers: s.length, roundsKept: c.roundsKept, seconds: c.seconds, p50: s[s.length >> 1], max: s[s.length - 1] }, 'adaptive: calibrated the answers’ overheads');
    } catch (e) {
      this.spec.log.warn({ job: this.spec.jobId, err: (e as Error).message }, 'adaptive: calibration failed; deciding without measured overheads');
    }
  }

  /** Seconds the first placement took (what a re-plan's cost is scaled from). */
  placeSeconds = 0;

  get placed(): PlacedPlan {
    return this.replanner.inForce.placed;
  }

  get candidate(): Candidate {
    return this.replanner.inForce.placement.candidate;
  }

  /** Bytes streamed by every placement of the run (the first, re-plans, probe blocks). */
  get bytesPlaced(): number {
    return this.bytes;
  }

  /** A round of the plan in force: its timings (and the probes' that came back) to the runtime model (not a fresh placement's first rounds). */
  observe(outcome: RoundOutcome): void {
    if (this.warming > 0) {
      this.warming--;
      return;
    }
    const placed = this.placed;
    const timings = timingsFromRound(outcome, outcome.work ?? placed.work, placed.hosts);
    const own = timings.filter((t) => !t.censored && t.overheadSeconds !== undefined).map((t) => t.overheadSeconds!);
    if (own.length > 0) {
      const m = own.sort((a, b) => a - b)[own.length >> 1]!;
      this.overhead = this.overhead === undefined ? m : 0.9 * this.overhead + 0.1 * m;
    }
    timings.push(...this.pending.splice(0));
    const changes = this.controller.observeRound(outcome.round, timings, outcome.seconds);
    for (const c of changes) {
      this.spec.metrics.runtimeChanges.inc({ ...this.spec.labels, scope: c.scope });
      this.spec.log.info({ round: c.round, scope: c.scope, worker: c.worker, ratio: c.ratio, p: c.p }, `adaptive: runtime change: ${c.description}`);
    }
  }

  /** The round's decoded gradient against the exact one (approximate plans), and the monitored error before the step. */
  observeGradient(relativeSquaredError: number | undefined, errorBefore: number): void {
    this.controller.observeGradient(this.candidate, relativeSquaredError, errorBefore);
  }

  /** Exact iterations still needed to bring the monitored error to `target` (the controller's estimate). */
  remainingIterations(target: number, roundsLeft: number): number {
    return this.controller.remainingIterations(target, roundsLeft);
  }

  /** Between iterations: decide when due, re-plan if the decision says so, send its probes. */
  async step(ctx: StepContext): Promise<Decision | undefined> {
    const next = this.controller.next(ctx.round, { remainingIterations: ctx.remainingIterations });
    if (!next.decide) {
      for (const w of next.probe) this.launchProbe(w, ctx.probePayload());
      return undefined;
    }
    const from = this.replanner.inForce.placement;
    const d = this.controller.decide(ctx.round, this.cluster.liveWorkers(), {
      remainingIterations: ctx.remainingIterations,
      ...(this.overhead !== undefined ? { overheadSeconds: this.overhead } : {}),
    });
    const m = this.spec.metrics;
    m.adaptiveDecisions.inc(this.spec.labels);
    this.spec.log.info({ round: ctx.round, replan: d.replan, excluded: d.excluded, probe: d.probe }, `adaptive: ${d.reason}`);
    if (d.replan) {
      const to: Placement = { candidate: d.candidate, workers: d.workers };
      const r = await this.replanner.apply(to);
      this.warming = PLACEMENT_WARMUP_ROUNDS;
      this.bytes += r.bytesPlaced;
      this.controller.recordReplan({
        round: ctx.round,
        from: placementLabel(from, this.cluster.liveWorkers()),
        to: this.controller.label(to),
        seconds: r.seconds,
        bytesPlaced: r.bytesPlaced,
        rowsPlaced: r.rowsToSend,
        blocksDropped: r.blocksDropped,
      });
      m.adaptiveReplans.inc(this.spec.labels);
      m.adaptiveReplanSeconds.inc(this.spec.labels, r.seconds);
      this.spec.log.info({ round: ctx.round, seconds: r.seconds, bytes: r.bytesPlaced, rows: r.rowsToSend, dropped: r.blocksDropped }, `adaptive: re-planned to ${this.controller.label(to)}`);
      this.publishScheme();
    }
    m.adaptiveExcluded.set(this.spec.labels, d.excluded.length);
    for (const w of d.probe) this.launchProbe(w, ctx.probePayload());
    this.publishModel();
    return d;
  }

  /** Waits for the probes still out (call before the job releases its blocks). */
  async finish(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  report(): AdaptiveReport & { params: Readonly<Record<string, unknown>> } {
    return { params: this.spec.policy.params, ...this.controller.report() };
  }

  private launchProbe(worker: number, payload: TaskPayload): void {
    // A worker still on its last probe (a slow one is) would only queue this one behind it: the
    // answer that is coming measures it as well, and the job's end waits for every probe sent.
    if (this.probing.has(worker)) {
      this.controller.probeNotSent();
      return;
    }
    this.probing.add(worker);
    this.spec.metrics.adaptiveProbes.inc(this.spec.labels);
    const p = this.replanner
      .probe(worker, payload)
      .then(({ outcome, placed, bytesPlaced }) => {
        this.bytes += bytesPlaced;
        const t = timingsFromRound(outcome, outcome.work ?? placed.work, [worker]);
        if (t.length > 0) this.controller.probeAnswered();
        this.pending.push(...t);
      })
      .catch((e: Error) => this.spec.log.warn({ worker, err: e.message }, 'adaptive: probe failed'))
      .finally(() => {
        this.inFlight.delete(p);
        this.probing.delete(worker);
      });
    this.inFlight.add(p);
  }

  /**
   * What a re-plan would cost in seconds: the rows it must stream, at the rate the first placement
   * streamed the whole data (plus a fixed 5 ms for the calls).
   */
  private replanCost(from: Placement, to: Placement): number {
    const rows = this.spec.A.rows;
    const layout = (p: Placement) => {
      const key = `${candidateKey(p.candidate)}/${p.workers.length}`;
      let plan = this.planCache.get(key);
      if (!plan) this.planCache.set(key, (plan = planCandidate(p.candidate, { workers: p.workers.length, rows, seed: this.spec.seed, data: { rows, cols: this.spec.A.cols, A: this.spec.A.data } })));
      return { plan, workers: p.workers, blockStarts: blockStartsFor(p.candidate, rows) };
    };
    const moved = placementDiff(layout(from), layout(to)).rowsToSend;
    const perRow = this.placeSeconds / Math.max(1, rows);
    return 0.005 + moved * perRow;
  }

  private readonly planCache = new Map<string, ReturnType<typeof planCandidate>>();

  private publishScheme(): void {
    const m = this.spec.metrics;
    if (this.schemeSeries) m.adaptiveScheme.remove(this.schemeSeries);
    const p = this.replanner.inForce.placement;
    this.schemeSeries = { ...this.spec.labels, scheme: p.candidate.scheme, placement: this.controller.label(p) };
    m.adaptiveScheme.set(this.schemeSeries, 1);
  }

  private publishModel(): void {
    const m = this.spec.metrics;
    const model = this.controller.model;
    const speeds = model.speeds();
    for (const w of model.workers()) {
      const labels = { ...this.spec.labels, worker: String(w) };
      const fit = model.workerFit(w);
      if (fit) {
        m.runtimeShift.set(labels, fit.shift);
        if (Number.isFinite(fit.rate) && fit.rate > 0) m.runtimeTailMean.set(labels, 1 / fit.rate);
      }
      const s = speeds.get(w);
      if (s !== undefined) m.runtimeSlowness.set(labels, s);
    }
  }
}

/** How the workers run their tasks: as the spec says, else as the declared delays do (per: task -> side by side). */
function executionOf(spec: AdaptiveRunSpec): Execution {
  return spec.execution ?? (spec.declared?.per === 'task' ? 'parallel' : 'sequential');
}
