import { describe, expect, it } from 'vitest';
import { AdaptiveChooser, AdaptiveController, ErrorCostModel, PRIOR_COMPUTE_FLOOR, candidateSet, choosePolicy, declaredPrior, type Decision, type PlacementDecider, type Placement } from '../../../core/policy';
import { RuntimeModel, priorSamples, type TaskTiming } from '../../../core/runtime';
import { declaredDelays, delayQuantile } from '../../../shared/chaos';
import { Rng } from '../../../shared/random';
import { bruteMeans } from './brute-force';

/**
 * The adaptive policy's prior from the job's declared delays (pure, scripted runtimes): the
 * pseudo-samples, the runtime model seeded with them (kept while measurements agree, dropped when
 * they do not), and the decision made from them before the first round.
 */
const N = 8;
const WORKERS = Array.from({ length: N }, (_, i) => i);

/** One round of `slowdown(w)` seconds per unit of work on every listed worker, wait-all style. */
function round(model: RuntimeModel, r: number, slowdown: (w: number) => number, workers = WORKERS): void {
  const timings: TaskTiming[] = workers.map((w) => ({ worker: w, work: 1, seconds: slowdown(w) }));
  model.observeRound(r, timings);
}

describe('prior samples', () => {
  it('are stratified quantiles: each worker’s set spans the distribution, the workers’ sets together resolve it finer', () => {
    const q = delayQuantile({ dist: 'exponential', rate: 100 })!;
    const n = 20;
    const sets = WORKERS.map((k) => priorSamples(q, n, { worker: k, workers: N }));
    for (const s of sets) {
      const sorted = [...s].sort((a, b) => a - b);
      // The j-th smallest is F⁻¹ of a point in stratum j.
      sorted.forEach((v, j) => {
        expect(v).toBeGreaterThanOrEqual(q(j / n) - 1e-15);
        expect(v).toBeLessThanOrEqual(q((j + 1) / n) + 1e-15);
      });
    }
    const pooled = new Set(sets.flat());
    expect(pooled.size).toBe(N * n);
  });

  it('are deterministic, shuffled (a recent stretch is spread over the distribution), and carry the compute floor', () => {
    const q = delayQuantile({ dist: 'exponential', rate: 100 })!;
    const a = priorSamples(q, 20, { worker: 2, workers: N, floor: 1e-4, seed: 3 });
    expect(a).toEqual(priorSamples(q, 20, { worker: 2, workers: N, floor: 1e-4, seed: 3 }));
    const last10 = [...a.slice(-10)].sort((x, y) => x - y);
    const all = [...a].sort((x, y) => x - y);
    // Not the ten largest: the last stretch holds values from below the median too.
    expect(last10[0]!).toBeLessThan(all[9]!);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(1e-4);
  });

  it('of a declared job: nothing for no delay, the declared slow worker slow, floors for the rest', () => {
    expect(declaredPrior(declaredDelays({ delay: { dist: 'none' } }, WORKERS), WORKERS, { rounds: 20 })).toBeUndefined();
    const prior = declaredPrior(declaredDelays({ delay: { dist: 'constant', value: 0.08 }, workers: [3] }, WORKERS), WORKERS, { rounds: 20 })!;
    expect(prior.get(3)!.every((v) => v === 0.08 + PRIOR_COMPUTE_FLOOR)).toBe(true);
    expect(prior.get(0)!.every((v) => v === PRIOR_COMPUTE_FLOOR)).toBe(true);
  });
});

describe('the runtime model seeded with a prior', () => {
  const lambdaTail = declaredDelays({ delay: { dist: 'lambda-tail', base: 0.01 } }, WORKERS)!;

  it('gives a snapshot before any round, and is seeded only once, before the rounds', () => {
    const model = new RuntimeModel();
    expect(model.snapshot()).toBeUndefined();
    model.seedPrior(declaredPrior(lambdaTail, WORKERS, { rounds: 20 })!);
    const snap = model.snapshot()!;
    expect(snap.base.quantile(0.5)).toBeCloseTo(0.01 + PRIOR_COMPUTE_FLOOR, 9);
    expect(model.rounds).toBe(0);
    expect(model.priorSamples).toBe(20);
    expect(() => model.seedPrior(new Map([[0, [1]]]))).toThrow(/before any round/);
  });

  it('measurements that agree with it raise no change and outnumber it; ones that disagree drop it', () => {
    const rng = new Rng(4);
    const agree = new RuntimeModel();
    agree.seedPrior(declaredPrior(lambdaTail, WORKERS, { rounds: 20 })!);
    for (let r = 1; r <= 100; r++) round(agree, r, () => 0.0101 * (rng.uniform() < 0.05 ? 2.5 : 1) * (1 + 0.02 * rng.uniform()));
    expect(agree.changes).toEqual([]);
    expect(agree.hasPrior).toBe(true);
    // Declared 8× slower than it runs: the cluster detector calls it a change and forgets the prior.
    const wrong = new RuntimeModel();
    wrong.seedPrior(declaredPrior(declaredDelays({ delay: { dist: 'constant', value: 0.08 } }, WORKERS), WORKERS, { rounds: 20 })!);
    for (let r = 1; r <= 60; r++) round(wrong, r, () => 0.01 * (1 + 0.05 * rng.uniform()));
    expect(wrong.changes.some((c) => c.scope === 'cluster')).toBe(true);
    expect(wrong.hasPrior).toBe(false);
    expect(wrong.snapshot()!.base.quantile(0.5)).toBeLessThan(0.011);
  });

  it('a worker left out from the start keeps its declared slowness when the others’ prior is dropped', () => {
    const model = new RuntimeModel();
    model.seedPrior(declaredPrior(declaredDelays({ delay: { dist: 'constant', value: 0.08 }, workers: [3] }, WORKERS), WORKERS, { rounds: 20 })!);
    const rest = WORKERS.filter((w) => w !== 3);
    // The others run at 0.5 ms a unit, five times the floor the prior assumed: a cluster change.
    for (let r = 1; r <= 60; r++) round(model, r, () => 0.0005 * (1 + 0.05 * Math.sin(r * 7 + 1)), rest);
    expect(model.changes.length).toBeGreaterThan(0);
    expect(model.speeds().get(3)!).toBeGreaterThan(100);
  });
});

describe('the decision before the first round', () => {
  /** The adaptive policy's decider as a least-squares job gets it (its defaults), for a job declaring `declared`. */
  const decider = (params: Record<string, unknown>, declared: ReturnType<typeof declaredDelays>) =>
    choosePolicy({ name: 'adaptive', ...params }).decider(
      { workers: WORKERS, rows: 1680, seed: 1, coded: false, ...(declared ? { declared } : {}) },
      { replanSeconds: () => 0 },
    );

  it('a declared slow worker: the job starts without it (no re-plan), saying it was declared', () => {
    const declared = declaredDelays({ delay: { dist: 'constant', value: 0.08 }, workers: [3] }, WORKERS);
    const c = new AdaptiveController(decider({}, declared), WORKERS, { period: 5, budget: 1, now: () => 0 });
    const d = c.decideAtStart(WORKERS, {})!;
    expect(d.replan).toBe(false);
    expect(d.workers, d.reason).not.toContain(3);
    expect(c.placement().workers).not.toContain(3);
    expect(d.reason).toMatch(/^round 0 \(declared delays, before any round\): worker 3 at \d+\.\d× the median \(declared\) -> wait-all -> .* without worker 3/);
    expect(c.report().startedFromPrior).toBe(true);
  });

  it('a declared heavy tail: the job starts within the hysteresis margin of the brute force’s fastest under the declared distribution', () => {
    const declared = declaredDelays({ delay: { dist: 'lambda-tail', base: 0.01 } }, WORKERS);
    const c = new AdaptiveController(decider({}, declared), WORKERS, { period: 5, budget: 1, now: () => 0 });
    const d = c.decideAtStart(WORKERS, {})!;
    const placements: Placement[] = candidateSet(N, { approximate: false, coded: false, data: false, prune: true }).map((candidate) => ({ candidate, workers: WORKERS }));
    const tail = (rng: Rng): number => 0.01 * (rng.uniform() < 2 / 3000 ? 9.4 : rng.uniform() < 0.05 ? 2.5 : 1);
    const means = bruteMeans(placements, N, (rng) => Float64Array.from(WORKERS, () => tail(rng)), new Rng(5), 20_000);
    const best = Math.min(...means);
    const chosen = means[placements.findIndex((p) => p.candidate.label === d.candidate.label)]!;
    expect(d.workers).toEqual(WORKERS);
    expect(chosen / best, `${d.reason}; brute force best ${placements[means.indexOf(best)]!.candidate.label}`).toBeLessThan(1.1);
  });

  it('without a prior (none declared, or prior: false) the job starts under wait-all and learns', () => {
    const declared = declaredDelays({ delay: { dist: 'constant', value: 0.08 }, workers: [3] }, WORKERS);
    for (const d of [decider({ prior: false }, declared), decider({}, undefined)]) {
      const c = new AdaptiveController(d, WORKERS, { period: 5, budget: 1, now: () => 0 });
      expect(c.decideAtStart(WORKERS, {})).toBeUndefined();
      expect(c.placement().candidate.label).toBe('wait-all');
      expect(c.placement().workers).toEqual(WORKERS);
    }
  });
});

/** A decider whose gain and watch are scripted; every decision keeps the placement. */
class ScriptedDecider implements PlacementDecider {
  gain = Infinity;
  events: string[] = [];
  probes: number[] = [];
  decided: number[] = [];
  constructor(private readonly p: Placement) {}
  placement(): Placement {
    return this.p;
  }
  setWorkers(): void {}
  expectedGain(): number {
    return this.gain;
  }
  watch(): { probe: number[]; events: string[] } {
    return { probe: this.probes, events: this.events };
  }
  decide(round: number): Decision {
    this.decided.push(round);
    return { round, candidate: this.p.candidate, workers: [...this.p.workers], excluded: [], probe: [], replan: false, reason: `round ${round}: scripted`, predictions: [] };
  }
}

describe('exploration that pays for itself (the controller’s cadence)', () => {
  const waitAll = (): Placement => ({ candidate: new AdaptiveChooser({ workers: WORKERS, rows: 1680, seed: 1, approximate: false, coded: false }).placement().candidate, workers: WORKERS });

  /** A controller on a scripted clock: every decision takes `cost` seconds, every round `roundSeconds`. */
  function setup(cost: number, roundSeconds = 0.01) {
    const decider = new ScriptedDecider(waitAll());
    let t = 0;
    const c = new AdaptiveController(decider, WORKERS, { period: 5, budget: 0.5, now: () => t });
    const origDecide = decider.decide.bind(decider);
    decider.decide = (round: number) => {
      t += cost;
      return origDecide(round);
    };
    const rounds = (from: number, to: number, ctx: { remainingIterations: number }): number[] => {
      const decidedAt: number[] = [];
      for (let r = from; r <= to; r++) {
        t += roundSeconds;
        c.observeRound(r, WORKERS.map((w) => ({ worker: w, work: 1, seconds: roundSeconds })), roundSeconds);
        const n = c.next(r, ctx);
        if (n.decide) {
          c.decide(r, WORKERS, {});
          decidedAt.push(r);
        }
      }
      return decidedAt;
    };
    return { c, decider, rounds };
  }

  it('decides every period while the most it could gain over the iterations left exceeds a decision’s cost', () => {
    const { decider, rounds } = setup(0.02);
    decider.gain = 0.001; // 1 ms an iteration × 100 iterations left = 0.1 s > 0.02 s
    expect(rounds(1, 20, { remainingIterations: 100 })).toEqual([1, 6, 11, 16]);
  });

  it('commits when it would not: a short job, or a plan in force that runs as predicted', () => {
    const short = setup(0.02);
    short.decider.gain = 0.001;
    // 1 ms × 100 iterations left pays for a decision; × 10 (later in the job) does not.
    expect(short.rounds(1, 5, { remainingIterations: 100 })).toEqual([1]);
    expect(short.rounds(6, 30, { remainingIterations: 10 })).toEqual([]);
    expect(short.c.report().decisionsSkipped).toBeGreaterThan(0);
    const settled = setup(0.02);
    settled.decider.gain = 0;
    expect(settled.rounds(1, 30, { remainingIterations: 1000 })).toEqual([]);
  });

  it('a change the model saw, or the slow-worker watch flagging a worker, makes a decision due anyway', () => {
    const { c, decider, rounds } = setup(0.001);
    decider.gain = 0;
    expect(rounds(1, 6, { remainingIterations: 1000 })).toEqual([]);
    decider.events = ['worker 2 at 4.0× the median for 10 rounds'];
    // The watch runs every period rounds: its first look after round 6's is round 11.
    expect(rounds(7, 12, { remainingIterations: 1000 })).toEqual([11]);
    decider.events = [];
    // A cluster-wide shift: the detector needs 20 rounds of history and 20 recent ones.
    for (let r = 13; r <= 62; r++) c.observeRound(r, WORKERS.map((w) => ({ worker: w, work: 1, seconds: r <= 37 ? 0.01 : 0.05 })), 0.01);
    expect(c.model.changes.length).toBeGreaterThan(0);
    expect(c.next(63, { remainingIterations: 1000 })).toMatchObject({ decide: true, why: 'change' });
  });

  it('between decisions the watch still sends the left-out workers their probes (every period rounds)', () => {
    const { c, decider } = setup(0.001);
    decider.gain = 0;
    c.decide(1, WORKERS, {});
    decider.probes = [3];
    const probes: number[] = [];
    for (let r = 2; r <= 12; r++) {
      c.observeRound(r, WORKERS.map((w) => ({ worker: w, work: 1, seconds: 0.01 })), 0.01);
      const n = c.next(r, { remainingIterations: 1000 });
      if (!n.decide && n.probe.length > 0) probes.push(r);
    }
    expect(probes).toEqual([6, 11]);
    expect(c.report().probes.sent).toBe(2);
  });

  it('uses the rounds measured under the plan in force, from MIN_MEASURED_ROUNDS of them', () => {
    const { c } = setup(0.001);
    expect(c.measuredIterationSeconds()).toBeUndefined();
    for (let r = 1; r <= 3; r++) c.observeRound(r, WORKERS.map((w) => ({ worker: w, work: 1, seconds: 0.01 })), 0.004 * r);
    expect(c.measuredIterationSeconds()).toBeCloseTo(0.008, 12);
  });
});

describe('the chooser’s expected gain', () => {
  it('is the best placement’s predicted lead beyond the margin over the plan in force as measured', () => {
    const chooser = new AdaptiveChooser({ workers: WORKERS, rows: 1680, seed: 1, approximate: false, coded: false }, { warmupRounds: 5, predictor: { rounds: 200 }, prune: true, margin: 0.1 });
    expect(chooser.expectedGain()).toBe(Infinity);
    const model = new RuntimeModel();
    const rng = new Rng(2);
    for (let r = 1; r <= 20; r++) round(model, r, () => 0.01 * (rng.uniform() < 0.05 ? 2.5 : 1));
    const d = chooser.decide(20, model, new ErrorCostModel());
    const best = d.predictions[0]!.score;
    const inForce = d.predictions.find((p) => p.label === d.candidate.label && p.workers.length === d.workers.length)!.score;
    expect(chooser.expectedGain()).toBeCloseTo(Math.max(0, inForce * 0.9 - best), 12);
    // Measured twice as slow as predicted: a decision may well pay.
    expect(chooser.expectedGain(2 * inForce)).toBeCloseTo(2 * inForce * 0.9 - best, 12);
  });
});
