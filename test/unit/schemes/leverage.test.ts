import { Matrix as MlMatrix, inverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../shared/errors';
import { Rng } from '../../../shared/random';
import { lookupScheme } from '../../../core/schemes';
import { expansionNetwork } from '../../../core/schemes/expansion-network';
import { approximateBlockLeverageScores, blockLeverageScores } from '../../../core/schemes/leverage-scores';
import { expectClose, TOL } from '../../helpers/expect-close';
import { inlineLa } from '../../helpers/linalg';
import { planDataFor, rowLeverageScoresOn } from '../../../algorithms/row-leverage-scores';
import { chooseScheme } from '../../../core/schemes';
import { blockRows, combinations, exactGradient, randomProblem, slotResults, type Problem } from './simulate';

const scheme = lookupScheme('leverage');

/** Naive reference: diagonal of the hat matrix A(AᵀA)⁻¹Aᵀ, summed per block, over rank d. */
function hatBlockScores(p: Problem): Float64Array {
  const A = new MlMatrix(p.A.rows, p.A.cols);
  for (let i = 0; i < p.A.rows; i++) for (let j = 0; j < p.A.cols; j++) A.set(i, j, p.A.data[i * p.A.cols + j]!);
  const H = A.mmul(inverse(A.transpose().mmul(A))).mmul(A.transpose());
  const K = p.blockStarts.length - 1;
  return Float64Array.from({ length: K }, (_, l) => {
    let s = 0;
    for (let i = p.blockStarts[l]!; i < p.blockStarts[l + 1]!; i++) s += H.get(i, i);
    return s / p.A.cols;
  });
}

function view(p: Problem) {
  return { rows: p.A.rows, cols: p.A.cols, A: p.A.data };
}

function planFor(p: Problem, workers: number, params: Record<string, unknown>, seed = 1) {
  return scheme.choose(params).plan({ workers, blocks: p.blockStarts.length - 1, blockRows: blockRows(p), rng: new Rng(seed),  data: view(p) });
}

function relErr(a: Float64Array, b: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

describe('block leverage scores', () => {
  it('exact scores equal the hat matrix diagonal summed per block, and sum to one', () => {
    const p = randomProblem(2, 10, 6, 4, 3);
    const Pi = blockLeverageScores(view(p), p.blockStarts);
    expectClose(Pi, hatBlockScores(p), { rtol: 1e-10, atol: 1e-12 });
    expect(Pi.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('handles a rank-deficient A through its numerical rank', () => {
    const p = randomProblem(3, 6, 5, 3);
    // Column 2 = column 0 + column 1: rank 2; scores are those of the first two columns.
    for (let i = 0; i < p.A.rows; i++) p.A.data[i * 3 + 2] = p.A.data[i * 3]! + p.A.data[i * 3 + 1]!;
    const Pi = blockLeverageScores(view(p), p.blockStarts);
    const two = { ...p, A: { rows: p.A.rows, cols: 2, data: Float64Array.from({ length: p.A.rows * 2 }, (_, k) => p.A.data[Math.floor(k / 2) * 3 + (k % 2)]!) } };
    expectClose(Pi, hatBlockScores(two), { rtol: 1e-8, atol: 1e-10 });
  });

  it('on the master\'s linear algebra (pivoted QR, off the loop): the same scores, handed to a pure plan that then computes nothing', async () => {
    for (const deficient of [false, true]) {
      const p = randomProblem(5, 8, 30, 4, 3);
      if (deficient) for (let i = 0; i < p.A.rows; i++) p.A.data[i * 4 + 3] = p.A.data[i * 4]! - p.A.data[i * 4 + 1]!;
      const rowScores = await rowLeverageScoresOn(inlineLa, p.A);
      expect(rowScores.reduce((a, b) => a + b, 0)).toBeCloseTo(deficient ? 3 : 4, 10);
      expectClose(blockLeverageScores({ ...view(p), rowLeverageScores: rowScores }, p.blockStarts), blockLeverageScores(view(p), p.blockStarts), { rtol: 1e-10, atol: 1e-12 });
      // The scores a plan gets are used as they are (a wrong vector shows in the plan).
      const data = await planDataFor(inlineLa, chooseScheme({ name: 'leverage' }), p.A);
      expect(data.rowLeverageScores).toBe(rowScores); // kept per A: computed once
      const plan = (d: typeof data) => scheme.choose({}).plan({ workers: 8, blocks: p.blockStarts.length - 1, blockRows: blockRows(p), rng: new Rng(1), data: d }).describe();
      // LAPACK here, the plain loops in the plan's own fallback: the same placement, numbers to rounding.
      const [given, computed] = [plan(data), plan(view(p))];
      expect(given.blockOfSlot).toEqual(computed.blockOfSlot);
      expect(given.replicas).toEqual(computed.replicas);
      expect(given.beta as number).toBeCloseTo(computed.beta as number, 12);
      expectClose(Float64Array.from(given.leverageScores as number[]), Float64Array.from(computed.leverageScores as number[]), { rtol: 1e-10, atol: 1e-12 });
    }
    // Only a scheme that reads them gets them: no QR for the others.
    expect(chooseScheme({ name: 'leverage', scores: 'approximate' }).needsRowLeverageScores).toBe(false);
    expect(chooseScheme({ name: 'wait-all' }).needsRowLeverageScores).toBe(false);
    expect((await planDataFor(inlineLa, chooseScheme({ name: 'wait-all' }), randomProblem(6, 10, 4, 3).A)).rowLeverageScores).toBeUndefined();
  });

  it('approximate scores (SRHT + JL) are within 25% of the exact ones on heavy-tailed data', () => {
    const p = randomProblem(4, 50, 40, 10, 3);
    const exact = blockLeverageScores(view(p), p.blockStarts);
    const approx = approximateBlockLeverageScores(view(p), p.blockStarts, new Rng(7));
    for (let l = 0; l < exact.length; l++) expect(Math.abs(approx[l]! / exact[l]! - 1)).toBeLessThan(0.25);
  });
});

describe('expansion network: the paper\'s rule (eq. 18-19), hand-worked', () => {
  const shiftedExp = { source: 'shifted exponential (1, 2)', quantile: (p: number) => 1 - Math.log1p(-p) / 2 };
  const ell = (Pi: number[]): number[] => Pi.map((p) => -Math.log1p(-p));

  it('dyadic scores on m = 8: eq. 19 gives (4, 2, 1, 1) = Π·m with no fix-up; φ the continuous solution; T = F⁻¹(1 − φ)', () => {
    const Pi = [0.5, 0.25, 0.125, 0.125];
    const net = expansionNetwork(Float64Array.from(Pi), 8, 2, 'paper', shiftedExp);
    // Σ log(1 − Π_i)/log φ = 8 ⇒ φ = (Π(1 − Π_i))^{1/8}; ρ = (4.44, 1.84, 0.86, 0.86) rounds to (4, 2, 1, 1).
    const phi = (0.5 * 0.75 * 0.875 * 0.875) ** (1 / 8);
    expect(net.phi).toBeCloseTo(phi, 12);
    expect(Array.from(net.eq19)).toEqual([4, 2, 1, 1]);
    expect(net.eq19Total).toBe(8);
    expect(Array.from(net.alpha)).toEqual([0, 0, 0, 0]);
    expect(Array.from(net.replicas)).toEqual([4, 2, 1, 1]);
    expect(net.distortion).toBeCloseTo(0, 15);
    expect(net.beta).toBeCloseTo(1, 15);
    expect(net.endingTime).toBeCloseTo(1 - Math.log(phi) / 2, 12);
    expect(net.answersByEndingTime).toBeCloseTo(8 * (1 - phi), 12);
  });

  it('(0.7, 0.1, 0.1, 0.1) on m = 6: R̂ = 6 is reached by moving φ to the step where r̂₁ = 3; Π̃ = (½, ⅙, ⅙, ⅙)', () => {
    const Pi = [0.7, 0.1, 0.1, 0.1];
    const net = expansionNetwork(Float64Array.from(Pi), 6, 2, 'paper');
    // At the continuous solution ρ₁ = 4.75 (R̂ = 8); R̂ = 6 needs ρ₁ < 3.5, i.e. −log φ > ℓ₁/3.5,
    // and the step ends where ρ₁ falls below 2.5. φ is the step's end nearest the continuous one.
    const [l1] = ell(Pi);
    expect(-Math.log(net.phi)).toBeCloseTo(l1! / 3.5, 8);
    expect(Array.from(net.eq19)).toEqual([3, 1, 1, 1]);
    expect(Array.from(net.alpha)).toEqual([0, 0, 0, 0]);
    expect(net.distortion).toBeCloseTo((0.2 + 3 * (1 / 6 - 0.1)) / 4, 12);
    expect(net.beta).toBeCloseTo(0.5 / 0.7, 12);
    expect(net.endingTime).toBeUndefined();
  });

  it('equal scores on m = 6: R̂ jumps from 4 to 8, the tie goes to 4, then +1 on two different blocks', () => {
    const net = expansionNetwork(Float64Array.of(0.25, 0.25, 0.25, 0.25), 6, 2, 'paper');
    expect(Array.from(net.eq19)).toEqual([1, 1, 1, 1]);
    expect(Array.from(net.alpha)).toEqual([1, 1, 0, 0]);
    expect(Array.from(net.replicas)).toEqual([2, 2, 1, 1]);
    expect(net.distortion).toBeCloseTo((2 * (1 / 3 - 0.25) + 2 * (0.25 - 1 / 6)) / 4, 12);
    expect(net.beta).toBeCloseTo(2 / 3, 12);
    // The step of R̂ = 4 is ρ < 1.5: φ at its start (the continuous solution lies on its edge).
    expect(-Math.log(net.phi)).toBeCloseTo(Math.log(4 / 3) / 1.5, 8);
  });

  it('(0.8, 0.1, 0.05, 0.05) on m = 20: eq. 19 over-replicates the heavy block (17, 1, 1, 1) where apportionment gives Π·m', () => {
    const Pi = Float64Array.of(0.8, 0.1, 0.05, 0.05);
    const net = expansionNetwork(Pi, 20, 4, 'paper');
    expect(Array.from(net.eq19)).toEqual([17, 1, 1, 1]);
    expect(Array.from(net.alpha)).toEqual([0, 0, 0, 0]);
    expect(net.distortion).toBeCloseTo((0.05 + 0.05) / 4, 12);
    expect(net.beta).toBeCloseTo(0.5, 12);
    const ap = net.rules.apportion;
    expect(ap.rule).toBe('apportion');
    expect(Array.from(ap.replicas)).toEqual([16, 2, 1, 1]);
    expect(ap.distortion).toBeCloseTo(0, 12);
    expect(ap.beta).toBeCloseTo(1, 12);
    // apportion's φ is 1 − q/m, and its r̂ is eq. 19 there (reported, not used).
    expect(ap.phi).toBeCloseTo(0.8, 15);
    expect(expansionNetwork(Pi, 20, 4, 'apportion').replicas).toEqual(ap.replicas);
  });

  it('on random scores the fix-ups stay small: |α_i| ≤ 1, and R̂ is the attainable value nearest m', () => {
    const rng = new Rng(12);
    for (let trial = 0; trial < 200; trial++) {
      const K = 3 + Math.floor(rng.uniform() * 30);
      const w = Float64Array.from({ length: K }, () => rng.exponential(1) ** 2 + 1e-3);
      const Pi = w.map((v) => v / w.reduce((a, b) => a + b, 0));
      const m = K + Math.floor(rng.uniform() * 4 * K);
      const net = expansionNetwork(Pi, m, 1, 'paper');
      expect(net.replicas.reduce((a, b) => a + b, 0)).toBe(m);
      for (const a of net.alpha) expect(Math.abs(a)).toBeLessThanOrEqual(1);
      // No φ gives an R̂ nearer m: scan eq. 19 over a fine grid of φ.
      const l = ell(Array.from(Pi));
      let nearest = Infinity;
      for (let k = 0; k <= 4000; k++) {
        const u = Math.exp(-12 + (k / 4000) * 14);
        const R = l.reduce((s, x) => s + Math.max(1, Math.round(x / u)), 0);
        nearest = Math.min(nearest, Math.abs(R - m));
      }
      expect(Math.abs(net.eq19Total - m)).toBeLessThanOrEqual(nearest);
    }
  });

  it("Lemma 1: every block eq. 19 rounds (not floored to one) has |Π_i − (1 − φ^r̂_i)| ≤ φ^min(r̂_i, ρ_i)·(1 − √φ)", () => {
    const rng = new Rng(13);
    for (let trial = 0; trial < 100; trial++) {
      const K = 5 + Math.floor(rng.uniform() * 20);
      const w = Float64Array.from({ length: K }, () => rng.exponential(1));
      const Pi = w.map((v) => v / w.reduce((a, b) => a + b, 0));
      const net = expansionNetwork(Pi, K * 3, 1, 'paper');
      const phi = net.phi;
      Pi.forEach((p, i) => {
        const rho = Math.log1p(-p) / Math.log(phi);
        if (rho < 0.5) return;
        const r = net.eq19[i]!;
        expect(Math.abs(p - (1 - phi ** r))).toBeLessThanOrEqual(phi ** Math.min(r, rho) * (1 - Math.sqrt(phi)) + 1e-12);
      });
    }
  });
});

describe('expansion network: apportionment (replicas: apportion)', () => {
  it('at φ = 1 − q/m reports eq. 19, and places exactly m slots with at least one replica a block', () => {
    const Pi = Float64Array.of(0.5, 0.3, 0.15, 0.05);
    const net = expansionNetwork(Pi, 20, 10, 'apportion', { source: 'test', quantile: (p) => 1 - Math.log1p(-p) / 2 });
    expect(net.phi).toBeCloseTo(0.5, 15);
    // round(log(1 − Π)/log(1/2)) = round(1, 0.51, 0.23, 0.074) → (1, 1, 1, 1) (kept ≥ 1)
    expect(Array.from(net.eq19)).toEqual([1, 1, 1, 1]);
    expect(Array.from(net.replicas)).toEqual([10, 6, 3, 1]);
    expect(Array.from(net.alpha)).toEqual([9, 5, 2, 0]);
    expect(net.distortion).toBeCloseTo(0, 15);
    // T = F⁻¹(q/m) for the shifted exponential: 1 + ln 2 / 2.
    expect(net.endingTime).toBeCloseTo(1 + Math.LN2 / 2, 12);
  });

  it('distortion is below 2/m (no block is over-allocated by a whole replica), shrinks as slots grow; too few slots are refused', () => {
    const rng = new Rng(5);
    const w = Float64Array.from({ length: 30 }, () => rng.exponential(1) ** 2);
    const Pi = w.map((v) => v / w.reduce((a, b) => a + b, 0));
    const ms = [30, 60, 77, 240, 960];
    const d = ms.map((m) => expansionNetwork(Pi, m, 3, 'apportion').distortion);
    ms.forEach((m, k) => expect(d[k]!, `m = ${m}`).toBeLessThan(2 / m));
    expect(d[3]!).toBeLessThan(d[1]!);
    expect(d[4]!).toBeLessThan(d[3]!);
    for (const m of [30, 77]) expect(expansionNetwork(Pi, m, 3, 'apportion').replicas.reduce((a, b) => a + b, 0)).toBe(m);
    expect(() => expansionNetwork(Pi, 29, 3)).toThrow(InputError);
  });
});

describe('leverage scheme', () => {
  it('places r_i rescaled copies of block i on distinct workers and reports the distortion', () => {
    const p = randomProblem(6, 10, 5, 3, 3);
    const plan = planFor(p, 8, { q: 2, slots: 24 });
    const info = plan.describe();
    const replicas = info.replicas as number[];
    expect(plan.slots).toHaveLength(24);
    expect(replicas.reduce((a, b) => a + b, 0)).toBe(24);
    expect(typeof info.distortion).toBe('number');
    expect(info.replicaRule).toBe('paper');
    const expansion = info.expansion as Record<string, Record<string, unknown>>;
    for (const rule of ['paper', 'apportion']) {
      for (const key of ['phi', 'eq19Replicas', 'eq19Total', 'replicas', 'maxAlpha', 'distortion', 'beta', 'answersByEndingTime']) expect(expansion[rule], `${rule}.${key}`).toHaveProperty(key);
    }
    expect(expansion.paper!.replicas).toEqual(replicas);
    expect(planFor(p, 8, { q: 2, slots: 24, replicas: 'apportion' }).describe().replicas).toEqual(expansion.apportion!.replicas);
    expect(plan.taskKinds).toEqual(['lsGradient', 'gram']);
    for (let i = 0; i < 10; i++) {
      const hosts = plan.slots.filter((s) => plan.stored[s.blocks[0]!.stored]!.terms[0]!.block === i).map((s) => s.host);
      expect(hosts).toHaveLength(replicas[i]!);
      expect(new Set(hosts).size).toBe(hosts.length);
      const coef = plan.stored.find((s) => s.terms[0]!.block === i)!.terms[0]!.coef;
      expect(coef).toBeCloseTo(1 / Math.sqrt(2 * (replicas[i]! / 24)), 12);
    }
  });

  it('decodes the sum of any q answers, and averaged over every q-subset of slots it is exactly the gradient', () => {
    const p = randomProblem(7, 4, 3, 3, 3);
    const plan = planFor(p, 4, { q: 3, slots: 8 });
    const results = slotResults(plan, p, 'lsGradient');
    const exact = exactGradient(p);
    const mean = new Float64Array(exact.length);
    let patterns = 0;
    for (const arrived of combinations(8, 3)) {
      const d = plan.decoder();
      arrived.forEach((s, i) => expect(d.add(s, results[s]!)).toBe(i === 2));
      const out = d.decode();
      expect(out.exact).toBe(false);
      const direct = new Float64Array(exact.length);
      for (const s of arrived) for (let i = 0; i < direct.length; i++) direct[i]! += results[s]![i]!;
      expectClose(out.value, direct, TOL.roundoff);
      for (let i = 0; i < mean.length; i++) mean[i]! += out.value[i]!;
      patterns++;
    }
    expectClose(mean.map((v) => v / patterns), exact, { rtol: 1e-10, atol: 1e-10 });
  });

  it('at a timeout, any c < q answers rescaled by q/c are unbiased too', () => {
    const p = randomProblem(8, 4, 3, 3, 3);
    const plan = planFor(p, 4, { q: 3, slots: 8, timeout: 0.5 });
    expect(plan.roundTimeout).toBe(0.5);
    const results = slotResults(plan, p, 'lsGradient');
    const exact = exactGradient(p);
    for (const c of [1, 2]) {
      const mean = new Float64Array(exact.length);
      let n = 0;
      for (const arrived of combinations(8, c)) {
        const d = plan.decoder();
        for (const s of arrived) d.add(s, results[s]!);
        expect(d.enough()).toBe(false);
        expect(d.canDecodeEarly()).toBe(true);
        const v = d.decode().value;
        for (let i = 0; i < mean.length; i++) mean[i]! += v[i]!;
        n++;
      }
      expectClose(mean.map((v) => v / n), exact, { rtol: 1e-10, atol: 1e-10 });
    }
  });

  it("the estimator's mean over 20 000 simulated rounds is within 2% of the true gradient (Table I's shape, smaller)", () => {
    // 400×8 Student-t (ν = 3): heavy tails make the block leverage scores far from uniform.
    const p = randomProblem(9, 20, 20, 8, 3);
    const plan = planFor(p, 10, { q: 4, slots: 60 });
    const results = slotResults(plan, p, 'lsGradient');
    const exact = exactGradient(p);
    const rng = new Rng(42);
    const draws = 20_000;
    const mean = new Float64Array(exact.length);
    for (let t = 0; t < draws; t++) {
      // Exchangeable arrivals: a uniformly random order of the slots.
      const order = rng.permutation(results.length);
      const d = plan.decoder();
      for (const s of order) if (d.add(s, results[s]!)) break;
      const v = d.decode().value;
      for (let i = 0; i < mean.length; i++) mean[i]! += v[i]! / draws;
    }
    expect(relErr(mean, exact)).toBeLessThan(0.02);
  });

  it('needs the data, and rejects bad keys', () => {
    expect(() => scheme.choose({}).plan({ workers: 2, blocks: 2, blockRows: [2, 2], rng: new Rng(1) })).toThrow(/needs the data/);
    expect(() => scheme.choose({ beta: 1 })).toThrow(/unknown key 'beta'/);
    expect(() => scheme.choose({ scores: 'fast' })).toThrow(/scores must be one of exact, approximate/);
    expect(() => scheme.choose({ sketchRows: 10 })).toThrow(/only to scores: approximate/);
    expect(() => scheme.choose({ replicas: 'even' })).toThrow(/replicas must be one of paper, apportion/);
    const p = randomProblem(6, 10, 5, 3);
    expect(() => planFor(p, 4, { slots: 8 })).toThrow(/8 slots/);
  });
});
