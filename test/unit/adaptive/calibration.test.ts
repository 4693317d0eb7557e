import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { AdaptiveController, blockStartsFor, candidateSet, choosePolicy, type Decision, type PlacementDecider, type Placement } from '../../../core/policy';
import { RuntimeModel } from '../../../core/runtime';
import type { Plan } from '../../../core/schemes';
import { declaredDelays } from '../../../shared/chaos';
import { Rng } from '../../../shared/random';
import { AdaptiveRun, CALIBRATION_ROUND_TIMEOUT, Replanner, type AdaptiveMetrics, type ReplanCluster } from '../../../algorithms/adaptive';
import type { BlockData, PlaceOptions, PlacedPlan, RoundOutcome, TaskPayload } from '../../../algorithms/compute-cluster';

const N = 8;
const WORKERS = Array.from({ length: N }, (_, i) => i);
const ROWS = 1600;
const COLS = 4;

describe('the runtime model’s answer overheads measured outside the job’s rounds', () => {
  it('go into the pooled overheads the predictor draws from, not into any worker’s slowdowns; unusable values are skipped', () => {
    const m = new RuntimeModel();
    m.seedPrior(new Map(WORKERS.map((w) => [w, [0.001, 0.002]])));
    expect(m.snapshot()!.overhead).toBeUndefined();
    m.observeOverheads([0.002, undefined, -1, Number.NaN, 0.004, Infinity, 0.003]);
    expect(m.overheadCount).toBe(3);
    const o = m.snapshot()!.overhead!;
    expect(o.quantile(0.5)).toBe(0.003);
    expect(m.rounds).toBe(0);
    expect(m.summary().workers.every((w) => w.samples === 2)).toBe(true);
  });
});

/** The policy's own decider on 8 workers with worker 3 declared 80 ms a unit slower (issue 25's slow-worker case). */
function slowWorkerController(): AdaptiveController {
  const declared = declaredDelays({ delay: { dist: 'constant', value: 0.08 }, workers: [3] }, WORKERS);
  const policy = choosePolicy({ name: 'adaptive' });
  const decider = policy.decider({ workers: WORKERS, rows: ROWS, seed: 1, coded: false, ...(declared ? { declared } : {}) }, { replanSeconds: () => 0.01, execution: 'sequential' });
  decider.prepare?.();
  return new AdaptiveController(decider, WORKERS, { period: 5, budget: 1, now: () => 0 });
}

describe('the decision before the first round, with and without calibrated overheads', () => {
  it('without them every plan that avoids worker 3 looks alike and the job starts under wait-all on the other 7 (7 answers a round)', () => {
    const c = slowWorkerController();
    const d = c.decideAtStart(WORKERS, {})!;
    expect(d.candidate.label).toBe('wait-all');
    expect(d.workers).toEqual(WORKERS.filter((w) => w !== 3));
  });

  it('with them it starts under a plan that waits for fewer answers, predicted clearly faster than wait-all on the 7', () => {
    const c = slowWorkerController();
    // One calibration round's answers: ~1–3 ms each beyond the workers' own time (workers sharing cores).
    const rng = new Rng(5);
    c.recordCalibration({ rounds: 2, overheads: WORKERS.map(() => 0.001 + rng.exponential(1 / 0.001)), seconds: 0.004 });
    const d = c.decideAtStart(WORKERS, {})!;
    expect(d.candidate.label).not.toBe('wait-all');
    expect(d.candidate.label).not.toMatch(/^speculative/);
    const chosen = d.predictions.find((p) => p.label === d.candidate.label && p.workers.length === d.workers.length)!;
    const waitAll7 = d.predictions.find((p) => p.label === 'wait-all' && p.workers.length === N - 1)!;
    expect(chosen.score).toBeLessThan(0.8 * waitAll7.score);
    const rep = c.report();
    expect(rep.calibration).toMatchObject({ rounds: 2, roundsKept: 2, answers: N, seconds: 0.004 });
    expect(rep.calibration!.overhead!.p50).toBeGreaterThan(0.001);
  });
});

/** A ReplanCluster that records what it is asked; rounds answer at once with scripted timings. */
class FakeCluster implements ReplanCluster {
  places: { plan: Plan; data: BlockData; options: PlaceOptions | undefined; placed: PlacedPlan }[] = [];
  rounds: { placed: PlacedPlan; payload: TaskPayload }[] = [];
  retired: PlacedPlan[] = [];
  drops: { worker: number; ids: readonly number[] }[] = [];
  /** A round's outcome can be held back (a slow probe). */
  hold: ((placed: PlacedPlan) => Promise<void>) | undefined;
  /** Seconds of answer k of the r-th round asked for (0.5 ms of it computing, 0.1 ms injected). */
  answerAt = (r: number, k: number): number => (r + 1) * 0.01 + k * 0.001;
  constructor(private readonly live: number[]) {}
  liveWorkers(): number[] {
    return [...this.live];
  }
  async place(jobId: string, plan: Plan, data: BlockData, options?: PlaceOptions): Promise<PlacedPlan> {
    const workers = options?.workers ?? this.live;
    const hosts = plan.slots.map((s) => workers[s.host]!);
    const ids = options?.blockIds ?? plan.stored.map((_, i) => i);
    const holders = new Map<number, Set<number>>();
    plan.slots.forEach((s, i) => {
      for (const b of s.blocks) {
        const h = holders.get(b.stored) ?? new Set<number>();
        h.add(hosts[i]!);
        holders.set(b.stored, h);
      }
    });
    const placed: PlacedPlan = { jobId, plan, hosts, bytesPlaced: 100, work: plan.slots.map(() => 1), blockIds: ids, holders };
    this.places.push({ plan, data, options, placed });
    return placed;
  }
  async dropBlocks(_placed: PlacedPlan, worker: number, ids: readonly number[]): Promise<void> {
    this.drops.push({ worker, ids });
  }
  retire(placed: PlacedPlan): void {
    this.retired.push(placed);
  }
  async uncountedRound(placed: PlacedPlan, payload: TaskPayload): Promise<RoundOutcome> {
    const r = this.rounds.length;
    this.rounds.push({ placed, payload });
    if (this.hold) await this.hold(placed);
    const arrivals = placed.hosts.map((worker, slot) => ({
      slot,
      worker,
      seconds: this.answerAt(r, slot),
      computeSeconds: 0.0005,
      injectedDelaySeconds: 0.0001,
      queueSeconds: 0,
      loopLagP99Seconds: 0,
      loopLagMaxSeconds: 0,
    }));
    return { round: -1, decoded: { value: new Float64Array(COLS), used: [], exact: true }, seconds: 0, arrivals, stragglers: [], backupsLaunched: 0, slotsMoved: 0, bytesSent: 0, bytesReceived: 0 };
  }
}

const A = { rows: ROWS, cols: COLS, data: new Float64Array(ROWS * COLS) };
const job = { jobId: 'j', A, b: new Float64Array(ROWS), seed: 1 };
const x0 = (): TaskPayload => ({ kind: 'lsGradient', x: new Float64Array(COLS) });

describe('Replanner.calibrate', () => {
  it('places one row on every live worker, times `rounds` rounds that wait for every answer, keeps their overheads and retires the plan', async () => {
    const cluster = new FakeCluster(WORKERS);
    const r = new Replanner(cluster, job);
    const c = await r.calibrate(2, x0());
    expect(cluster.places).toHaveLength(1);
    const { plan, data, options, placed } = cluster.places[0]!;
    expect(data.blockStarts).toEqual([0, 1]);
    expect(plan.stored).toHaveLength(1);
    expect(plan.slots.map((s) => s.host)).toEqual(WORKERS);
    expect(options?.workers).toEqual(WORKERS);
    // Its decoder is done only once every slot answered; past the round's timeout it ends with what came.
    const dec = plan.decoder();
    expect(dec.canDecodeEarly()).toBe(false);
    for (let s = 0; s < N - 1; s++) expect(dec.add(s, new Float64Array(COLS))).toBe(false);
    expect(dec.canDecodeEarly()).toBe(true);
    expect(dec.add(N - 1, new Float64Array(COLS))).toBe(true);
    expect(plan.roundTimeout).toBe(CALIBRATION_ROUND_TIMEOUT);
    expect(cluster.rounds).toHaveLength(2);
    expect(cluster.rounds.every((x) => x.placed === placed && x.payload.kind === 'lsGradient')).toBe(true);
    // Answer k of round r at (r + 1)·10 + k ms, less 0.5 ms computing and 0.1 ms injected: round 0's
    // median (13.5 ms) is within twice round 1's (23.5 ms), so both rounds count.
    expect(c.overheads).toHaveLength(2 * N);
    c.overheads.forEach((o, i) => expect(o).toBeCloseTo((Math.floor(i / N) + 1) * 0.01 + (i % N) * 0.001 - 0.0006, 12));
    expect(c.rounds).toBe(2);
    expect(c.roundsKept).toBe(2);
    expect(cluster.retired).toEqual([placed]);
    expect(cluster.drops).toEqual([]);
  });

  it('leaves out a warm-up round: one whose median is over twice the last round’s', async () => {
    const cluster = new FakeCluster(WORKERS);
    cluster.answerAt = (r, k) => (r === 0 ? 0.5 : 0.002) + k * 0.0001;
    const c = await new Replanner(cluster, job).calibrate(3, x0());
    expect(c.roundsKept).toBe(2);
    expect(c.overheads).toHaveLength(2 * N);
    expect(Math.max(...c.overheads)).toBeLessThan(0.003);
  });

  it('a left-out worker holding no plain block is probed over one unit of rows, not over a block of the plan in force (which may be all the data)', async () => {
    const cluster = new FakeCluster(WORKERS);
    const r = new Replanner(cluster, job);
    await r.calibrate(1, x0());
    // A plan of a single block on the 7 others (every worker holds all the rows).
    const one = candidateSet(N - 1, { approximate: false, coded: false, data: false }).find((c) => blockStartsFor(c, ROWS).length === 2);
    expect(one, 'a candidate of one block on 7 workers').toBeDefined();
    const others = WORKERS.filter((w) => w !== 3);
    await r.apply({ candidate: one!, workers: others });
    await r.probe(3, x0());
    const probe = cluster.places[cluster.places.length - 1]!;
    expect(probe.options?.workers).toEqual([3]);
    const [start, end] = probe.data.blockStarts;
    expect(end! - start!).toBe(ROWS / N);
  });
});

/** Every decision keeps the plan on the 7 workers but 3 and asks for a probe of worker 3. */
class ProbingDecider implements PlacementDecider {
  constructor(private readonly p: Placement) {}
  placement(): Placement {
    return this.p;
  }
  setWorkers(): void {}
  decide(round: number): Decision {
    return { round, candidate: this.p.candidate, workers: [...this.p.workers], excluded: [3], probe: [3], replan: false, reason: `round ${round}: probe 3`, predictions: [] };
  }
}

const noop = { inc: () => {}, set: () => {}, remove: () => {} };
const metrics: AdaptiveMetrics = {
  runtimeChanges: noop,
  runtimeShift: noop,
  runtimeTailMean: noop,
  runtimeSlowness: noop,
  adaptiveDecisions: noop,
  adaptiveReplans: noop,
  adaptiveReplanSeconds: noop,
  adaptiveProbes: noop,
  adaptiveScheme: noop,
  adaptiveExcluded: noop,
};

describe('probes of a left-out worker', () => {
  it('are not sent again while the last one is out (a slow worker would queue them, and the job’s end waits for each)', async () => {
    const cluster = new FakeCluster(WORKERS);
    const others = WORKERS.filter((w) => w !== 3);
    const waitAll = candidateSet(N - 1, { approximate: false, coded: false, data: false }).find((c) => c.label === 'wait-all')!;
    let release: () => void = () => {};
    const run = await AdaptiveRun.start(cluster, {
      jobId: 'j',
      A,
      seed: 1,
      policy: choosePolicy({ name: 'adaptive', period: 1 }),
      log: pino({ level: 'silent' }),
      metrics,
      labels: { job_kind: 'least-squares', job_id: 'j' },
      decider: new ProbingDecider({ candidate: waitAll, workers: others }),
    });
    const probeRounds = () => cluster.rounds.filter((x) => x.placed.hosts.length === 1 && x.placed.hosts[0] === 3).length;
    cluster.hold = (placed) => (placed.hosts[0] === 3 && placed.hosts.length === 1 ? new Promise<void>((res) => (release = res)) : Promise.resolve());
    const ctx = (round: number) => ({ round, remainingIterations: 100, probePayload: x0 });
    await run.step(ctx(1));
    await new Promise((res) => setImmediate(res));
    expect(probeRounds()).toBe(1);
    await run.step(ctx(2));
    await run.step(ctx(3));
    await new Promise((res) => setImmediate(res));
    expect(probeRounds()).toBe(1);
    release();
    await run.finish();
    await run.step(ctx(4));
    await new Promise((res) => setImmediate(res));
    expect(probeRounds()).toBe(2);
    release();
    await run.finish();
    const rep = run.report();
    expect(rep.probes.sent).toBe(2);
    expect(rep.probes.answered).toBe(2);
  });
});

describe('AdaptiveRun.start', () => {
  const declared = declaredDelays({ delay: { dist: 'constant', value: 0.08 }, workers: [3] }, WORKERS);
  const start = (scheme: Record<string, unknown>, cluster: FakeCluster) =>
    AdaptiveRun.start(cluster, {
      jobId: 'j',
      A,
      seed: 1,
      policy: choosePolicy({ name: 'adaptive', ...scheme }),
      log: pino({ level: 'silent' }),
      metrics,
      labels: { job_kind: 'least-squares', job_id: 'j' },
      ...(declared ? { declared } : {}),
      calibrationPayload: x0(),
    });

  it('with a prior, calibrates on every worker before its first decision, and places that decision’s plan', async () => {
    const cluster = new FakeCluster(WORKERS);
    const run = await start({}, cluster);
    expect(cluster.places[0]!.plan.scheme).toBe('calibration');
    expect(cluster.places[0]!.options?.workers).toEqual(WORKERS);
    const rep = run.report();
    expect(rep.calibration).toMatchObject({ rounds: 2, roundsKept: 2, answers: 2 * N });
    expect(rep.startedFromPrior).toBe(true);
    // The fake's answers come 10–27 ms after the send: far above the prior's compute, so the plan waits for few answers.
    expect(rep.final).not.toMatch(/^wait-all/);
    expect(cluster.places[1]!.plan.scheme).toBe(run.candidate.scheme);
  });

  it('calibrate: false decides from the declared delays alone (wait-all on the 7 others), and without a prior nothing is calibrated', async () => {
    const cluster = new FakeCluster(WORKERS);
    const run = await start({ calibrate: false }, cluster);
    expect(cluster.places.every((p) => p.plan.scheme !== 'calibration')).toBe(true);
    expect(run.report().calibration).toBeNull();
    expect(run.report().final).toBe('wait-all without worker 3');
    const learning = new FakeCluster(WORKERS);
    const run2 = await start({ prior: false }, learning);
    expect(learning.places.every((p) => p.plan.scheme !== 'calibration')).toBe(true);
    expect(run2.report().calibration).toBeNull();
  });
});
