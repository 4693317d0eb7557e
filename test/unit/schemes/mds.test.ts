import { describe, expect, it } from 'vitest';
import { InputError } from '../../../shared/errors';
import { Rng } from '../../../shared/random';
import { lookupScheme } from '../../../core/schemes';
import { buildMdsCode, sampledWorstCondition, worstCaseCondition } from '../../../core/schemes/mds-code';
import { expectClose } from '../../helpers/expect-close';
import { blockRows, combinations, exactMatVec, randomProblem, slotResults, subsets } from './simulate';

const scheme = lookupScheme('mds');

function setup(n: number, k: number, tau: number, nu?: number) {
  const p = randomProblem(21, k, tau, 6, nu);
  const plan = scheme.choose({ n, k }).plan({ workers: n, blocks: k, blockRows: blockRows(p), rng: new Rng(4) });
  return { p, plan, results: slotResults(plan, p, 'matvec'), exact: exactMatVec(p) };
}

/** Decoding amplifies rounding by at most the code's condition number (≤ 1e4 here); 1e-9 leaves room. */
const DECODE_TOL = { rtol: 1e-9, atol: 1e-9 };

describe('mds', () => {
  it('defaults to a quarter of the workers as parity and says it decodes matvec only', () => {
    expect(scheme.choose({}).defaultBlocks(16)).toBe(12);
    const p = randomProblem(1, 12, 2, 3);
    const plan = scheme.choose({}).plan({ workers: 16, blocks: 12, blockRows: blockRows(p), rng: new Rng(1) });
    expect(plan.slots).toHaveLength(16);
    expect(new Set(plan.slots.map((s) => s.host)).size).toBe(16);
    expect(plan.taskKinds).toEqual(['matvec']);
    expect(plan.describe()).toMatchObject({ n: 16, k: 12, survives: 4 });
  });

  it('decodes [A₁x; …; A_kx] from every set of at least k answers, in any order, and never from fewer', () => {
    const n = 8;
    const k = 5;
    const { plan, results, exact } = setup(n, k, 3);
    let decoded = 0;
    for (const arrived of subsets(n)) {
      const d = plan.decoder();
      arrived.forEach((s, i) => expect(d.add(s, results[s]!)).toBe(i + 1 >= k));
      expect(d.enough()).toBe(arrived.length >= k);
      if (arrived.length < k) continue;
      const out = d.decode();
      expect(out.used).toHaveLength(k);
      expect(out.exact).toBe(true);
      expectClose(out.value, exact, DECODE_TOL);
      decoded++;
    }
    expect(decoded).toBe([5, 6, 7, 8].reduce((a, m) => a + [...combinations(n, m)].length, 0));
  });

  it('stays accurate on the worst survivor set of a (16, 12) code with heavy-tailed data', () => {
    const n = 16;
    const k = 12;
    const { plan, results, exact } = setup(n, k, 4, 3);
    let worst = 0;
    const scale = exact.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    for (const arrived of combinations(n, k)) {
      const d = plan.decoder();
      for (const s of arrived) d.add(s, results[s]!);
      const v = d.decode().value;
      for (let i = 0; i < v.length; i++) worst = Math.max(worst, Math.abs(v[i]! - exact[i]!) / scale);
    }
    // Measured about 1e-13; the bound is rounding (1e-16) times the verified worst condition.
    const cond = plan.describe().worstCondition as number;
    expect(cond).toBeLessThan(1e4);
    expect(worst).toBeLessThan(1e-15 * cond * 100);
  });

  it('verifies the worst-case conditioning of its code over every pattern, and keeps the best candidate', () => {
    const code = buildMdsCode(10, 6, new Rng(3));
    expect(worstCaseCondition(code.parity, 4, 6)).toBe(code.worstCondition);
    expect(code.worstCondition).toBeLessThan(1e3);
  });

  it('at n ≥ 60 verifies its conditioning on sampled survivor sets, reports the worst found, and decodes sampled patterns', () => {
    // (60, 50): 7.5e10 survivor sets, too many to list; the paper's 60 gradient workers.
    const n = 60;
    const k = 50;
    const { plan, results, exact } = setup(n, k, 2);
    const info = plan.describe();
    expect(info.conditionVerified).toMatch(/^4000 sampled of the 75394027566 survivor sets$/);
    const cond = info.worstCondition as number;
    expect(cond).toBeGreaterThan(1);
    expect(cond).toBeLessThan(1e8);
    // The sampled worst is the code's: recomputing it over the same seeded sets gives the same number.
    const code = buildMdsCode(n, k, new Rng(4));
    expect(code.worstCondition).toBe(cond);
    const rng = new Rng(9);
    const scale = exact.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    for (let t = 0; t < 50; t++) {
      const arrived = Array.from(rng.permutation(n).subarray(0, k));
      const d = plan.decoder();
      arrived.forEach((s, i) => expect(d.add(s, results[s]!)).toBe(i + 1 >= k));
      const v = d.decode().value;
      let err = 0;
      for (let i = 0; i < v.length; i++) err = Math.max(err, Math.abs(v[i]! - exact[i]!) / scale);
      expect(err).toBeLessThan(1e-15 * cond * 1000);
    }
  });

  it('refuses what it cannot decode soundly, and bad keys', () => {
    expect(() => scheme.choose({ n: 4, k: 4 })).toThrow(/k = 4 must be less than n = 4/);
    expect(() => scheme.choose({ parity: 2 })).toThrow(/unknown key 'parity'/);
    // A code no candidate of which stays under 1e8 over the sets checked is refused, naming the count.
    expect(() => sampledWorstCondition(new Float64Array([1, 1, 1, 1]), 2, 2, new Rng(1), 10, 1e8)).not.toThrow();
    expect(sampledWorstCondition(new Float64Array([1, 1, 1, 1]), 2, 2, new Rng(1), 10)).toBe(Infinity);
    expect(() => scheme.choose({}).plan({ workers: 4, blocks: 3, blockRows: [2, 2, 3], rng: new Rng(1) })).toThrow(InputError);
    expect(() => scheme.choose({ k: 2 }).plan({ workers: 4, blocks: 3, blockRows: [2, 2, 2], rng: new Rng(1) })).toThrow(/k = 2/);
  });
});
