import { describe, expect, it } from 'vitest';
import { Rng } from '../../../shared/random';
import { PlanCache, candidateSet, expectedIterationSeconds, simulateRound, type Candidate } from '../../../core/policy';

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
