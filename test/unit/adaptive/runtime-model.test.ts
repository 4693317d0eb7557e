import { describe, expect, it } from 'vitest';
import { Rng } from '../../../shared/random';
import {
  ChangeDetector,
  EmpiricalDistribution,
  RuntimeModel,
  fitShiftedExponential,
  roundSamples,
  timingsFromRound,
  type TimeSample,
  type WorkerRoundSample,
} from '../../../core/runtime';

const SHIFT = 0.02;
const RATE = 50;

function shiftedExp(rng: Rng, n: number, shift = SHIFT, rate = RATE): TimeSample[] {
  return Array.from({ length: n }, () => ({ value: shift + rng.exponential(rate) }));
}

/** Type-II censoring: the n − d slowest are cut at the d-th smallest value. */
function typeTwoCensored(values: TimeSample[], d: number): TimeSample[] {
  const sorted = [...values].sort((a, b) => a.value - b.value);
  const cut = sorted[d - 1]!.value;
  return sorted.map((s, i) => (i < d ? s : { value: cut, censored: true }));
}

/** The lambda-tail profile of issue 14: ×1, ×2.5 w.p. 0.05, ×9.4 w.p. 2/3000. */
function lambdaTail(rng: Rng, base = 0.02): number {
  const u = rng.uniform();
  return base * (u < 2 / 3000 ? 9.4 : u < 2 / 3000 + 0.05 ? 2.5 : 1);
}

describe('shifted-exponential fit', () => {
  it('recovers shift and rate of a seeded sample within four standard deviations of the estimators', () => {
    const n = 400;
    const fit = fitShiftedExponential(shiftedExp(new Rng(1), n))!;
    // sd(shift) = 1/(n·rate) (the minimum's excess is Exp(n·rate)); sd(rate) = rate/√(n − 3).
    expect(Math.abs(fit.shift - SHIFT)).toBeLessThan(4 / (n * RATE));
    expect(Math.abs(fit.rate - RATE)).toBeLessThan((4 * RATE) / Math.sqrt(n - 3));
    expect(fit.standardErrors.rate).toBeCloseTo(fit.rate / Math.sqrt(n - 3), 10);
    expect(fit.mle.shift).toBe(Math.min(...shiftedExp(new Rng(1), n).map((s) => s.value)));
  });

  it('corrects the MLE’s small-sample bias: the corrected estimates are unbiased, the MLE rate is high by n/(n − 2)', () => {
    const rng = new Rng(2);
    const n = 8;
    const reps = 4000;
    let rate = 0;
    let mleRate = 0;
    let shift = 0;
    let mleShift = 0;
    for (let r = 0; r < reps; r++) {
      const f = fitShiftedExponential(shiftedExp(rng, n))!;
      rate += f.rate / reps;
      mleRate += f.mle.rate / reps;
      shift += f.shift / reps;
      mleShift += f.mle.shift / reps;
    }
    // Standard errors of the means over the replicates.
    const seRate = RATE / Math.sqrt(n - 3) / Math.sqrt(reps);
    const seShift = 1 / (n * RATE) / Math.sqrt(reps);
    expect(Math.abs(rate - RATE)).toBeLessThan(4 * seRate);
    expect(Math.abs(mleRate - (RATE * n) / (n - 2))).toBeLessThan(4 * seRate * (n / (n - 2)));
    expect(Math.abs(shift - SHIFT)).toBeLessThan(6 * seShift);
    expect(Math.abs(mleShift - (SHIFT + 1 / (n * RATE)))).toBeLessThan(4 * seShift);
  });

  it('fits a type-II censored sample (stragglers cut at the d-th answer) without bias', () => {
    const rng = new Rng(3);
    const n = 16;
    const d = 12;
    const reps = 3000;
    let rate = 0;
    let shift = 0;
    for (let r = 0; r < reps; r++) {
      const f = fitShiftedExponential(typeTwoCensored(shiftedExp(rng, n), d))!;
      expect(f.uncensored).toBe(d);
      rate += f.rate / reps;
      shift += f.shift / reps;
    }
    expect(Math.abs(rate - RATE)).toBeLessThan((4 * RATE) / Math.sqrt(d - 3) / Math.sqrt(reps));
    expect(Math.abs(shift - SHIFT)).toBeLessThan((6 / (n * RATE)) / Math.sqrt(reps));
    // Ignoring the censored values instead would see only the fast ones: a rate far too high.
    const naive = fitShiftedExponential(typeTwoCensored(shiftedExp(new Rng(4), 400), 240).filter((s) => !s.censored))!;
    expect(naive.rate).toBeGreaterThan(1.5 * RATE);
  });

  it('needs three uncensored values and rejects negative ones', () => {
    expect(fitShiftedExponential([{ value: 1 }, { value: 2 }, { value: 3, censored: true }])).toBeUndefined();
    expect(() => fitShiftedExponential([{ value: -1 }])).toThrow(RangeError);
    const point = fitShiftedExponential([{ value: 2 }, { value: 2 }, { value: 2 }])!;
    expect(point.shift).toBe(2);
    expect(point.rate).toBe(Infinity);
  });
});

describe('empirical distribution (Kaplan–Meier)', () => {
  it('is the plain empirical CDF without censoring', () => {
    const d = new EmpiricalDistribution([3, 1, 2, 2].map((value) => ({ value })), 1);
    expect(d.cdfAt(1)).toBe(0.25);
    expect(d.cdfAt(2)).toBe(0.75);
    expect(d.quantile(0.5)).toBe(2);
    expect(d.quantile(0.8)).toBe(3);
    expect(d.mean()).toBe(2);
  });

  it('matches a hand-worked Kaplan–Meier estimate and continues a censored tail exponentially', () => {
    // 1, 2+, 3, 4+, 5: S(1) = 4/5, S(3) = 4/5·2/3, S(5) = 0.
    const d = new EmpiricalDistribution(
      [{ value: 1 }, { value: 2, censored: true }, { value: 3 }, { value: 4, censored: true }, { value: 5 }],
      1,
    );
    expect(d.cdfAt(1)).toBeCloseTo(0.2, 12);
    expect(d.cdfAt(3.5)).toBeCloseTo(1 - 8 / 15, 12);
    expect(d.cdfAt(5)).toBeCloseTo(1, 12);
    // 1, 2, 3+: mass 1/3 beyond 3, exponential with rate 2.
    const t = new EmpiricalDistribution([{ value: 1 }, { value: 2 }, { value: 3, censored: true }], 2);
    expect(t.quantile(0.5)).toBe(2);
    expect(t.quantile(0.9)).toBeCloseTo(3 + Math.log(1 / 3 / 0.1) / 2, 12);
    expect(t.mean()).toBeCloseTo(1 / 3 + 2 / 3 + (1 / 3) * (3 + 0.5), 12);
  });

  it('recovers the median of censored exponential data', () => {
    const rng = new Rng(5);
    const samples = Array.from({ length: 4000 }, () => {
      const v = rng.exponential(1);
      return v > 1.5 ? { value: 1.5, censored: true } : { value: v };
    });
    const d = new EmpiricalDistribution(samples, 1);
    expect(Math.abs(d.quantile(0.5) - Math.LN2)).toBeLessThan(0.05);
    expect(Math.abs(d.mean() - 1)).toBeLessThan(0.05);
  });
});

describe('change detector', () => {
  const streams: [string, (rng: Rng) => number][] = [
    ['shifted exponential', (rng) => SHIFT + rng.exponential(RATE)],
    ['lambda-tail (heavy ties)', (rng) => lambdaTail(rng)],
    ['Pareto α = 1.5', (rng) => rng.pareto(0.01, 1.5)],
  ];

  it.each(streams)('raises false alarms at the stated rate α per check on a stationary %s stream', (_, draw) => {
    const rng = new Rng(6);
    for (const alpha of [0.05, 0.01]) {
      const det = new ChangeDetector({ alpha, minRatio: 1, permutations: 500 });
      let checks = 0;
      let alarms = 0;
      for (let i = 0; i < 40_000; i++) {
        const c = det.push({ value: draw(rng) });
        if (c) {
          checks++;
          if (c.changed) alarms++;
        }
      }
      const expected = checks * alpha;
      // Binomial bounds at about four standard deviations (the checks are nearly independent).
      expect(alarms).toBeLessThanOrEqual(expected + 4 * Math.sqrt(expected) + 1);
      // Ties make the rank statistic discrete, so the test is conservative there; elsewhere it is calibrated, not just quiet.
      if (!_.startsWith('lambda')) expect(alarms).toBeGreaterThanOrEqual(expected - 4 * Math.sqrt(expected));
    }
  });

  it('with the defaults stays quiet on long stationary streams', () => {
    for (const [, draw] of streams) {
      const rng = new Rng(7);
      const det = new ChangeDetector();
      let alarms = 0;
      for (let i = 0; i < 20_000; i++) if (det.push({ value: draw(rng) })?.changed) alarms++;
      expect(alarms).toBeLessThanOrEqual(1);
    }
  });

  it('fires within two checks of a seeded change, in either direction, and restarts its history', () => {
    for (const factor of [3, 1 / 3, 1.8]) {
      const rng = new Rng(8);
      const det = new ChangeDetector();
      let firedAt = -1;
      for (let i = 0; i < 400 && firedAt < 0; i++) {
        const v = lambdaTail(rng) * (1 + 0.05 * rng.uniform()) * (i >= 200 ? factor : 1);
        const c = det.push({ value: v });
        if (c?.changed) {
          firedAt = i;
          expect(Math.sign(c.z)).toBe(factor > 1 ? 1 : -1);
        }
      }
      expect(firedAt).toBeGreaterThanOrEqual(200);
      expect(firedAt).toBeLessThan(240);
    }
  });

  it('sees through censoring: a slowdown whose tasks are cut off is still detected', () => {
    const rng = new Rng(9);
    const det = new ChangeDetector();
    let fired = false;
    for (let i = 0; i < 300; i++) {
      const v = SHIFT + rng.exponential(RATE);
      // After the change every task is cut at three times the old median: only a lower bound is known.
      const s = i < 200 ? { value: v } : { value: 3 * (SHIFT + Math.LN2 / RATE), censored: true };
      if (det.push(s)?.changed) fired = true;
    }
    expect(fired).toBe(true);
  });
});

describe('task timings to samples', () => {
  it('sequential: the last answer over the answered work; a worker with no answer is censored', () => {
    const s = roundSamples(4, [
      { worker: 0, work: 1, seconds: 0.1 },
      { worker: 0, work: 1, seconds: 0.2 },
      { worker: 1, work: 2, seconds: 0.5, censored: true },
      { worker: 1, work: 1, seconds: 0.5, censored: true },
      { worker: 2, work: 1, seconds: 0.3, overheadSeconds: 0.1 },
      { worker: 2, work: 1, seconds: 0.2, backup: true },
    ]);
    expect(s).toEqual([
      { worker: 0, round: 4, work: 2, value: 0.1, censored: false },
      { worker: 1, round: 4, work: 2, value: 0.25, censored: true },
      { worker: 2, round: 4, work: 1, value: expect.closeTo(0.2, 12), censored: false },
      { worker: 2, round: 4, work: 1, value: 0.2, censored: false },
    ]);
    expect(roundSamples(1, [{ worker: 0, work: 2, seconds: 0.4 }, { worker: 0, work: 1, seconds: 0.3 }], 'parallel').map((x) => x.value)).toEqual([0.2, 0.3]);
    expect(() => roundSamples(1, [{ worker: 0, work: 0, seconds: 1 }])).toThrow(RangeError);
  });

  it('reads a round outcome: answers, stragglers as censored, backups left out', () => {
    const t = timingsFromRound(
      {
        arrivals: [
          { slot: 0, worker: 0, seconds: 0.1 },
          { slot: 2, worker: 0, seconds: 0.3 },
        ],
        stragglers: [{ slot: 1, worker: 1, outstandingSeconds: 0.3 }],
      },
      [1, 2, 1],
      [0, 1, 1],
    );
    expect(t).toEqual([
      { worker: 0, work: 1, seconds: 0.1 },
      { worker: 1, work: 2, seconds: 0.3, censored: true },
    ]);
  });
});

/** Rounds of a cluster: worker w's slowdown = speed(w, round) × a lambda-tail draw with jitter. */
function feed(model: RuntimeModel, rng: Rng, rounds: [number, number], workers: number, speed: (w: number, r: number) => number) {
  const events = [];
  for (let r = rounds[0]; r < rounds[1]; r++) {
    const samples: WorkerRoundSample[] = [];
    for (let w = 0; w < workers; w++) samples.push({ worker: w, round: r, work: 1, value: speed(w, r) * lambdaTail(rng) * (1 + 0.1 * rng.uniform()) });
    events.push(...model.observe(r, samples));
  }
  return events;
}

describe('runtime model', () => {
  it('learns relative speeds and a base distribution the predictor can draw from', () => {
    const model = new RuntimeModel();
    const rng = new Rng(10);
    const events = feed(model, rng, [0, 300], 8, (w) => (w === 3 ? 8 : 1));
    expect(events).toEqual([]);
    const snap = model.snapshot()!;
    expect(snap.speedOf(3)).toBeGreaterThan(7);
    expect(snap.speedOf(3)).toBeLessThan(9);
    expect(Math.abs(snap.speedOf(0) - 1)).toBeLessThan(0.1);
    // The base distribution (slow worker divided out) has lambda-tail's 5% at ×2.5.
    const p = snap.base.cdfAt(0.02 * 1.1 * 1.01);
    expect(p).toBeGreaterThan(0.92);
    expect(p).toBeLessThan(0.97);
    const draws = new Float64Array(8);
    let mean3 = 0;
    const drawRng = new Rng(11);
    for (let i = 0; i < 2000; i++) mean3 += snap.drawRound(drawRng, [0, 1, 2, 3, 4, 5, 6, 7], draws)[3]! / 2000;
    const trueMean = 8 * 0.02 * 1.05 * (1 + 0.05 * 1.5 + (2 / 3000) * 8.4);
    expect(Math.abs(mean3 / trueMean - 1)).toBeLessThan(0.1);
    expect(model.samplesOf(0)).toHaveLength(256);
    const summary = JSON.parse(JSON.stringify(model.summary()));
    expect(summary.workers).toHaveLength(8);
    expect(summary.cluster.shiftedExponential.shift).toBeGreaterThan(0.019);
  });

  it('reports one worker’s drift as that worker, and forgets its old regime', () => {
    const model = new RuntimeModel();
    const events = feed(model, new Rng(12), [0, 160], 8, (w, r) => (w === 2 && r >= 100 ? 5 : 1));
    expect(events.map((e) => [e.scope, e.worker])).toEqual([['worker', 2]]);
    expect(events[0]!.round).toBeLessThan(100 + 2 * 20);
    expect(model.samplesOf(2).every((s) => s.round >= 100)).toBe(true);
    expect(model.speeds().get(2)).toBeGreaterThan(4);
  });

  it('reports a cluster-wide shift once, and restarts every worker from the new regime', () => {
    const model = new RuntimeModel();
    const events = feed(model, new Rng(13), [0, 200], 8, (_, r) => (r >= 100 ? 4 : 1));
    const cluster = events.filter((e) => e.scope === 'cluster');
    expect(cluster).toHaveLength(1);
    expect(cluster[0]!.ratio).toBeGreaterThan(3);
    for (const w of model.workers()) expect(model.samplesOf(w).every((s) => s.round >= 80)).toBe(true);
    expect(model.snapshot()!.base.quantile(0.5)).toBeGreaterThan(0.07);
    expect(() => model.observe(150, [])).toThrow(RangeError);
  });

  it('a worker left out before a cluster-wide shift keeps its known slowness (it is not forgotten into a worker never seen)', () => {
    const model = new RuntimeModel();
    const rng = new Rng(14);
    // Worker 3 is 8× slow for 100 rounds, then left out of the plan; the other 7 then shift ×3.
    feed(model, rng, [0, 100], 8, (w) => (w === 3 ? 8 : 1));
    const events = [];
    for (let r = 100; r < 220; r++) {
      const samples: WorkerRoundSample[] = [];
      for (let w = 0; w < 8; w++) if (w !== 3) samples.push({ worker: w, round: r, work: 1, value: (r >= 140 ? 3 : 1) * lambdaTail(rng) * (1 + 0.1 * rng.uniform()) });
      events.push(...model.observe(r, samples));
    }
    expect(events.filter((e) => e.scope === 'cluster')).toHaveLength(1);
    expect(model.samplesOf(3).length).toBeGreaterThan(0);
    expect(model.speeds().get(3)).toBeGreaterThan(2);
    expect(model.summary().workers.find((w) => w.worker === 3)!.relativeSpeed).toBeGreaterThan(2);
  });
});
