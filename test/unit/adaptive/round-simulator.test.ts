import { describe, expect, it } from 'vitest';
import { Rng } from '../../../shared/random';
import { PlanCache, candidateSet, expectedIterationSeconds, predictIterations, simulateRound, type Candidate, type Placement } from '../../../core/policy';
import { RuntimeModel } from '../../../core/runtime';

const N = 8;
// Divisible by every k tried, so an mds block is exactly N/k of the unit block (no padding).
const ROWS = 1680;
const FIT = { shift: 1, rate: 2 };

function find(cands: Candidate[], label: string): Candidate {
  const c = cands.find((x) => x.label === label);
  if (!c) throw new Error(`no candidate ${label}`);
  return c;
}

describe('round simulator over the real plans and decoders', () => {
  const cands = candidateSet(N, { approximate: true, coded: true, data: false });
  const plans = new PlanCache({ rows: ROWS, jobWorkers: N, seed: 1 });

  it.each([
    'wait-all',
    'ignore-stragglers q=6',
    'ignore-stragglers q=4',
    'replication r=2',
    'frc s=1 residue',
    'frc s=1 cover',
    'frc s=3 residue',
    'frc s=3 cover',
    'mds n=8 k=6',
    'mds n=8 k=7',
  ])('%s: the mean over i.i.d. shifted-exponential slowdowns matches the order-statistics closed form', (label) => {
    const c = find(cands, label);
    const sp = plans.get(c, N);
    const rng = new Rng(20);
    const M = 20_000;
    const slow = new Float64Array(N);
    let sum = 0;
    let sumSq = 0;
    for (let m = 0; m < M; m++) {
      let t = 0;
      for (let r = 0; r < c.roundsPerIteration; r++) {
        for (let w = 0; w < N; w++) slow[w] = FIT.shift + rng.exponential(FIT.rate);
        t += simulateRound(sp, { execution: 'sequential', slowdown: slow, rng });
      }
      sum += t;
      sumSq += t * t;
    }
    const mean = sum / M;
    const se = Math.sqrt((sumSq / M - mean * mean) / M);
    const exact = expectedIterationSeconds(c, N, FIT)!;
    expect(exact).toBeDefined();
    expect(Math.abs(mean - exact)).toBeLessThan(4 * se);
  });

  it('frc residue waits for a whole class where cover takes one answer per group', () => {
    const slow = Float64Array.from([1, 5, 5, 1, 1, 1, 1, 1]);
    // s = 1: groups {0,1} {2,3} {4,5} {6,7}, work 2; class 0 = {0,2,4,6} has worker 2 at 5, class 1 = {1,3,5,7} worker 1.
    const draws = { execution: 'sequential' as const, slowdown: slow, rng: new Rng(1) };
    expect(simulateRound(plans.get(find(cands, 'frc s=1 cover'), N), draws)).toBe(2);
    expect(simulateRound(plans.get(find(cands, 'frc s=1 residue'), N), draws)).toBe(10);
    expect(simulateRound(plans.get(find(cands, 'replication r=2'), N), draws)).toBe(2);
    expect(simulateRound(plans.get(find(cands, 'wait-all'), N), draws)).toBe(5);
    expect(simulateRound(plans.get(find(cands, 'ignore-stragglers q=6'), N), draws)).toBe(1);
  });

  it('speculation: backups launch on idle holders past multiplier × the quantile time, and a cancelled copy frees its worker', () => {
    const spec = find(cands, 'speculative q=0.75 ×1.5');
    const sp = plans.get(spec, N);
    const at = (s: number[]): number => simulateRound(sp, { execution: 'sequential', slowdown: Float64Array.from(s), rng: new Rng(1) });
    // Six answers at 1 → threshold 1.5; slot 7's backups are workers 0 and 1: a backup on 0 ends at 2.5.
    expect(at([1, 1, 1, 1, 1, 1, 1, 8])).toBe(2.5);
    // Worker 0 slow too: at 1.5 slot 0 takes worker 1 (its first idle backup); slot 7 (backups 0, 1)
    // finds both busy. At 2.5 slot 0's backup wins, worker 0 is freed and takes slot 7: 2.5 + 3.
    expect(at([3, 1, 1, 1, 1, 1, 1, 8])).toBe(5.5);
    // A straggler that ends before any backup could: no gain, no loss.
    expect(at([1, 1, 1, 1, 1, 1, 1, 1.4])).toBe(1.4);
  });

  it('runs a worker’s tasks one after another (sequential) or side by side (per task)', () => {
    const twoPerWorker: Candidate = { scheme: 'wait-all', params: {}, blocks: 2 * N, exact: true, roundsPerIteration: 1, label: 'wait-all K=2N' };
    const sp = plans.get(twoPerWorker, N);
    expect(Array.from(sp.work)).toEqual(new Array(2 * N).fill(0.5));
    const slow = new Float64Array(N).fill(1);
    expect(simulateRound(sp, { execution: 'sequential', slowdown: slow, rng: new Rng(1) })).toBe(1);
    expect(simulateRound(sp, { execution: 'parallel', slowdown: slow, taskDraw: () => 1, rng: new Rng(1) })).toBe(0.5);
    const rep = plans.get(find(cands, 'replication r=2'), N);
    expect(Array.from(rep.work)).toEqual(new Array(N).fill(2));
  });

  it('never finishes a round whose decoder cannot be satisfied', () => {
    const slow = Float64Array.from([1, 1, 1, 1, 1, 1, 1, Infinity]);
    expect(simulateRound(plans.get(find(cands, 'wait-all'), N), { execution: 'sequential', slowdown: slow, rng: new Rng(1) })).toBe(Infinity);
    expect(simulateRound(plans.get(find(cands, 'ignore-stragglers q=7'), N), { execution: 'sequential', slowdown: slow, rng: new Rng(1) })).toBe(1);
  });

  it('rows that do not split evenly: gradients of unequal blocks sum, coded products keep their block rows', () => {
    // 803 rows on 7 workers (one left out): blocks of 115 and 114 rows. A sum decoder refuses
    // answers of unequal lengths, so a gradient's simulated answers must not take the block rows.
    const uneven = new PlanCache({ rows: 803, jobWorkers: 7, seed: 1 });
    const c7 = candidateSet(7, { approximate: false, coded: true, data: false });
    const unit = { execution: 'sequential' as const, slowdown: new Float64Array(7).fill(1), rng: new Rng(1) };
    for (const label of ['wait-all', 'replication r=2', 'mds n=7 k=6']) {
      const c = c7.find((x) => x.label === label);
      if (c) expect(simulateRound(uneven.get(c, 7), unit), label).toBeGreaterThan(0);
    }
  });
});

describe('answers’ overheads on the simulator (network draws per task)', () => {
  const cands = candidateSet(N, { approximate: true, coded: false, data: false });
  const plans = new PlanCache({ rows: ROWS, jobWorkers: N, seed: 1 });
  const harmonic = (n: number): number => Array.from({ length: n }, (_, i) => 1 / (i + 1)).reduce((a, b) => a + b, 0);

  it.each([
    // No work time, Exp(rate) per answer: wait-all waits for the slowest of N answers, replication
    // r=2 for the slowest of N/2 blocks each at its first of 2 copies, ignore-stragglers q for the q-th.
    ['wait-all', harmonic(N)],
    ['replication r=2', harmonic(N / 2) / 2],
    ['frc s=3 cover', harmonic(2) / 4],
    ['ignore-stragglers q=4', harmonic(N) - harmonic(N - 4)],
  ])('%s: the mean round matches the order statistics of the answers’ overheads', (label, exact) => {
    const sp = plans.get(find(cands, label as string), N);
    const rng = new Rng(30);
    const slow = new Float64Array(N);
    const M = 20_000;
    let sum = 0;
    let sumSq = 0;
    for (let m = 0; m < M; m++) {
      const t = simulateRound(sp, { execution: 'sequential', slowdown: slow, rng, network: () => rng.exponential(1) });
      sum += t;
      sumSq += t * t;
    }
    const mean = sum / M;
    const se = Math.sqrt((sumSq / M - mean * mean) / M);
    expect(Math.abs(mean - (exact as number))).toBeLessThan(4 * se);
  });

  it('a worker starts its next task when the last one ends, not when its answer arrives', () => {
    const twoPerWorker: Candidate = { scheme: 'wait-all', params: {}, blocks: 2 * N, exact: true, roundsPerIteration: 1, label: 'wait-all K=2N' };
    const sp = plans.get(twoPerWorker, N);
    const slow = new Float64Array(N).fill(2);
    // Tasks of work ½ end at 1 and 2 on every worker; answers 3 later: the round ends at 5, not 8.
    expect(simulateRound(sp, { execution: 'sequential', slowdown: slow, rng: new Rng(1), network: () => 3 })).toBe(5);
  });

  it('the predictor draws them from the model’s measured overheads: waiting for fewer answers shows', () => {
    const model = new RuntimeModel();
    const rng = new Rng(31);
    for (let r = 1; r <= 40; r++) {
      // No delay: 0.1 ms of work a unit; answers 0.5–4.5 ms late (workers sharing cores).
      model.observeRound(r, Array.from({ length: N }, (_, w) => {
        const over = 0.0005 + 0.004 * rng.uniform();
        return { worker: w, work: 1, seconds: 0.0001 + over, overheadSeconds: over };
      }));
    }
    const snap = model.snapshot()!;
    expect(snap.overhead!.quantile(0.5)).toBeGreaterThan(0.002);
    const W = Array.from({ length: N }, (_, i) => i);
    const placements: Placement[] = ['wait-all', 'replication r=2', 'frc s=3 cover'].map((l) => ({ candidate: find(cands, l), workers: W }));
    const measured = predictIterations(placements, snap, plans, { rounds: 400, race: false });
    const constant = predictIterations(placements, snap, plans, { rounds: 400, race: false, network: 'constant', overheadSeconds: 0.0025 });
    expect(measured[0]!.seconds).toBeGreaterThan(measured[1]!.seconds);
    expect(measured[1]!.seconds).toBeGreaterThan(measured[2]!.seconds);
    // A constant overhead a round hides it: the plans that do more work look slower.
    expect(constant[0]!.seconds).toBeLessThan(constant[1]!.seconds);
  });
});

describe('the predictor’s race', () => {
  const cands = candidateSet(N, { approximate: false, coded: false, data: false, prune: true });
  const plans = new PlanCache({ rows: ROWS, jobWorkers: N, seed: 1 });
  const W = Array.from({ length: N }, (_, i) => i);
  const placements: Placement[] = cands.map((candidate) => ({ candidate, workers: W }));
  const model = (jitter: number): RuntimeModel => {
    const m = new RuntimeModel();
    const rng = new Rng(40);
    for (let r = 1; r <= 60; r++) m.observeRound(r, W.map((w) => ({ worker: w, work: 1, seconds: 0.01 * (rng.uniform() < 0.05 ? 2.5 : 1) * (1 + jitter * rng.uniform()) })));
    return m;
  };

  it('picks the same best as simulating every placement in full, and drops the clearly slower ones early', () => {
    const snap = model(0.05).snapshot()!;
    const full = predictIterations(placements, snap, plans, { rounds: 400, race: false });
    const raced = predictIterations(placements, snap, plans, { rounds: 400, keep: [0] });
    const best = (p: typeof full) => p.reduce((a, b) => (b.seconds < a.seconds ? b : a)).placement.candidate.label;
    expect(best(raced)).toBe(best(full));
    expect(raced.some((p) => p.dropped)).toBe(true);
    expect(raced[0]!.dropped).toBeUndefined(); // kept: the placement in force
    const simulated = raced.reduce((s, p) => s + p.samples.length, 0);
    expect(simulated).toBeLessThan(0.5 * 400 * placements.length);
  });

  it('stops at minRounds when the runtimes do not vary', () => {
    const m = new RuntimeModel();
    for (let r = 1; r <= 30; r++) m.observeRound(r, W.map((w) => ({ worker: w, work: 1, seconds: 0.01 })));
    const raced = predictIterations(placements, m.snapshot()!, plans, { rounds: 400, minRounds: 50 });
    expect(Math.max(...raced.map((p) => p.samples.length))).toBe(50);
  });
});

describe('leverage on the simulator', () => {
  it('first q of 2N unit slots, two per worker run one after another: the q-th smallest of {s_w, 2·s_w}', () => {
    const rng = new Rng(21);
    const tau = 10;
    const d = 4;
    const A = Float64Array.from({ length: N * tau * d }, () => rng.normal());
    const plans = new PlanCache({ rows: N * tau, jobWorkers: N, seed: 3, data: { rows: N * tau, cols: d, A } });
    const lev = candidateSet(N, { approximate: true, coded: false, data: true }).find((c) => c.label === 'leverage q=6')!;
    const sp = plans.get(lev, N);
    expect(sp.plan.slots).toHaveLength(2 * N);
    expect(sp.plan.shuffleSends).toBe(true);
    for (let m = 0; m < 200; m++) {
      const slow = Float64Array.from({ length: N }, () => 1 + rng.exponential(1));
      const times = [...slow, ...slow.map((s) => 2 * s)].sort((a, b) => a - b);
      expect(simulateRound(sp, { execution: 'sequential', slowdown: slow, rng })).toBeCloseTo(times[5]!, 12);
    }
  });
});

describe('plans a scheme refuses', () => {
  it('are skipped with the scheme’s reason, not thrown at the chooser', () => {
    const plans = new PlanCache({ rows: 4000, jobWorkers: 40, seed: 1 });
    // (mds verifies large codes by sampling now, so it plans n = 40; a candidate it must refuse instead.)
    const base = candidateSet(40, { approximate: false, coded: true, data: false }).find((c) => c.label === 'mds n=40 k=30')!;
    const bad = { ...base, params: { n: 40, k: 40 }, blocks: 40, label: 'mds n=40 k=40' };
    expect(plans.tryGet(bad, 40)).toBeUndefined();
    expect(plans.refusals()[0]).toMatch(/mds n=40 k=40 on 40 workers: .*mds/);
    expect(plans.tryGet(candidateSet(40, { approximate: false, coded: false, data: false })[0]!, 40)).toBeDefined();
  });
});
