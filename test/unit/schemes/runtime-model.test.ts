import { describe, expect, it } from 'vitest';
import { delayAnswerTimes, measuredAnswerTimes } from '../../../core/schemes';
import { makeDelaySampler, type DelaySpec } from '../../../shared/chaos';
import { Rng } from '../../../shared/random';

/** Empirical p-quantile of n draws. */
function empirical(spec: DelaySpec, p: number, n = 100_000): number {
  const draw = makeDelaySampler(spec, new Rng(3));
  const xs = Float64Array.from({ length: n }, draw).sort();
  return xs[Math.ceil(p * n) - 1]!;
}

describe('runtime model: the ending time T = F⁻¹(p) of the leverage expansion network', () => {
  const specs: DelaySpec[] = [
    { dist: 'constant', value: 0.02 },
    { dist: 'exponential', rate: 50 },
    { dist: 'shifted-exponential', shift: 0.01, rate: 100 },
    { dist: 'pareto', scale: 0.01, alpha: 2.5 },
    { dist: 'bimodal', p: 0.2, fast: 0.01, slow: 0.08 },
    { dist: 'mixture', base: 0.01, multiples: [1, 3, 10], weights: [0.7, 0.25, 0.05] },
    { dist: 'lambda-tail', base: 0.04 },
  ];
  for (const spec of specs) {
    it(`${spec.dist}: quantiles of the job's delay distribution match 100 000 draws`, () => {
      const model = delayAnswerTimes(spec)!;
      expect(model.source).toBe(`delay ${spec.dist}`);
      for (const p of [0.01, 0.3, 0.5, 0.9, 0.97]) {
        const want = empirical(spec, p);
        expect(Math.abs(model.quantile(p) - want), `p = ${p}`).toBeLessThanOrEqual(0.03 * want + 1e-12);
      }
    });
  }

  it('lambda-tail: ×1 below 1 − 0.05 − 2/3000, ×2.5 up to 1 − 2/3000, ×9.4 above', () => {
    const m = delayAnswerTimes({ dist: 'lambda-tail', base: 1 })!;
    expect(m.quantile(0.9)).toBe(1);
    expect(m.quantile(0.99)).toBe(2.5);
    expect(m.quantile(0.9999)).toBe(9.4);
  });

  it('no delay has no model', () => {
    expect(delayAnswerTimes({ dist: 'none' })).toBeUndefined();
  });

  it('measured (Kaplan–Meier): rounds cut off after their q-th answer still give the quantiles below q/m', () => {
    const rng = new Rng(8);
    const m = 40;
    const q = 10;
    const rounds = Array.from({ length: 400 }, () => {
      const times = Float64Array.from({ length: m }, () => 0.005 + rng.exponential(100)).sort();
      return { answers: Array.from(times.subarray(0, q)), tasks: m, endedAt: times[q - 1]! };
    });
    const model = measuredAnswerTimes(rounds);
    const truth = delayAnswerTimes({ dist: 'shifted-exponential', shift: 0.005, rate: 100 })!;
    for (const p of [0.025, 0.1, 0.2]) expect(Math.abs(model.quantile(p) - truth.quantile(p)), `p = ${p}`).toBeLessThan(0.05 * truth.quantile(p));
    // Beyond what any round waited for, F̂ never gets there.
    expect(model.quantile(0.9)).toBe(Infinity);
    expect(model.source).toMatch(/4000 answers of 16000 tasks in 400 rounds/);
  });

  it('measured without censoring is the empirical distribution', () => {
    const model = measuredAnswerTimes([{ answers: [0.3, 0.1, 0.2, 0.4], tasks: 4, endedAt: 0.4 }]);
    expect([0.25, 0.5, 0.75, 1].map((p) => model.quantile(p))).toEqual([0.1, 0.2, 0.3, 0.4]);
  });
});
