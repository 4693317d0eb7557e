import { describe, expect, it } from 'vitest';
import { decideFault, delayMean, makeDelaySampler, type DelaySpec } from '../../../shared/chaos';
import { Rng } from '../../../shared/random';

const N = 200_000;
function moments(spec: DelaySpec, seed = 1): { mean: number; draws: number[] } {
  const s = makeDelaySampler(spec, new Rng(seed));
  const draws = Array.from({ length: N }, s);
  return { mean: draws.reduce((a, b) => a + b, 0) / N, draws };
}

describe('delay distributions against their moments', () => {
  const cases: DelaySpec[] = [
    { dist: 'constant', value: 0.01 },
    { dist: 'exponential', rate: 200 },
    { dist: 'shifted-exponential', shift: 0.005, rate: 200 },
    { dist: 'pareto', scale: 0.01, alpha: 3 },
    { dist: 'bimodal', p: 0.1, fast: 0.001, slow: 0.05 },
    { dist: 'mixture', base: 0.01, multiples: [1, 3], weights: [0.8, 0.2] },
    { dist: 'lambda-tail', base: 0.01 },
  ];
  for (const spec of cases) {
    it(`${spec.dist}: sample mean within 2% of the mean`, () => {
      const { mean } = moments(spec);
      expect(Math.abs(mean - delayMean(spec)) / delayMean(spec)).toBeLessThan(0.02);
    });
  }

  it('lambda-tail as Figure 1 of OverSketched Newton: ×1, ×2.5 w.p. 0.05, ×9.4 w.p. 2/3000', () => {
    const { draws } = moments({ dist: 'lambda-tail', base: 1 });
    // Each multiple's count within 5 binomial standard deviations of N·p (a false failure ~1e-6).
    for (const [v, p] of [[1, 1 - 0.05 - 2 / 3000], [2.5, 0.05], [9.4, 2 / 3000]] as const) {
      const count = draws.filter((d) => d === v).length;
      expect(Math.abs(count - N * p), `×${v}`).toBeLessThan(5 * Math.sqrt(N * p * (1 - p)));
    }
    expect(draws.every((d) => d === 1 || d === 2.5 || d === 9.4)).toBe(true);
  });

  it('shifted exponential never goes below its shift; same seed, same draws', () => {
    const a = moments({ dist: 'shifted-exponential', shift: 0.005, rate: 200 }, 9).draws;
    expect(Math.min(...a.slice(0, 1000))).toBeGreaterThanOrEqual(0.005);
    const b = moments({ dist: 'shifted-exponential', shift: 0.005, rate: 200 }, 9).draws;
    expect(a.slice(0, 100)).toEqual(b.slice(0, 100));
  });

  it('rejects bad parameters by name', () => {
    expect(() => makeDelaySampler({ dist: 'exponential', rate: 0 }, new Rng(1))).toThrow('chaos.delay.rate must be positive');
    expect(() => makeDelaySampler({ dist: 'mixture', base: 1, multiples: [1], weights: [0.5] }, new Rng(1))).toThrow('sum to 1');
  });
});

describe('faults', () => {
  it('crash after n tasks, drop and hang at their rates', () => {
    const rng = new Rng(3);
    expect(decideFault({ dropProbability: 0, hangProbability: 0, crashAfterTasks: 2 }, 2, rng)).toBe('none');
    expect(decideFault({ dropProbability: 0, hangProbability: 0, crashAfterTasks: 2 }, 3, rng)).toBe('crash');
    const f = { dropProbability: 0.2, hangProbability: 0.1, crashAfterTasks: 0 };
    const out = Array.from({ length: 50_000 }, (_, i) => decideFault(f, i + 1, rng));
    expect(out.filter((d) => d === 'drop').length / 50_000).toBeCloseTo(0.2, 1);
    expect(out.filter((d) => d === 'hang').length / 50_000).toBeCloseTo(0.1, 1);
  });
});

describe('Rng', () => {
  it('normal and Student-t have the right variance', () => {
    const rng = new Rng(5);
    const z = Array.from({ length: N }, () => rng.normal());
    const m = z.reduce((a, b) => a + b, 0) / N;
    const v = z.reduce((a, b) => a + (b - m) ** 2, 0) / N;
    expect(Math.abs(m)).toBeLessThan(0.01);
    expect(v).toBeCloseTo(1, 1);
    // t with 5 degrees of freedom: variance 5/3
    const t = Array.from({ length: N }, () => rng.studentT(5));
    const vt = t.reduce((a, b) => a + b * b, 0) / N;
    expect(Math.abs(vt - 5 / 3) / (5 / 3)).toBeLessThan(0.05);
  });
});
