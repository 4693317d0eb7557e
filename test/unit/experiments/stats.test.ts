import { describe, expect, it } from 'vitest';
import { expandExperiment, parseExperiment, quantile, runMetrics, runRows, spread, summarize, type RunRecord } from '../../../experiments';
import { expectClose } from '../../helpers/expect-close';
import { SMALL } from './fixtures';

describe('statistics across seeds', () => {
  it('quantiles interpolate between order statistics like numpy (type 7)', () => {
    const v = [1, 2, 4, 8, 16];
    expect(quantile(v, 0.5)).toBe(4);
    expect(quantile(v, 0.25)).toBe(2);
    expect(quantile([1, 2, 3, 10], 0.5)).toBe(2.5);
    expectClose([quantile([1, 2, 3, 10], 0.75)], [4.75], { rtol: 1e-15, atol: 0 });
  });

  it('spread ignores missing values and reports n, median and range', () => {
    expect(spread([3, null, 1, 2, undefined, NaN])).toEqual({ n: 3, median: 2, q1: 1.5, q3: 2.5, min: 1, max: 3 });
    expect(spread([null])).toBeNull();
  });

  it('time to target is the first round at or under the target; null when never reached', () => {
    const errs = [1e-1, 1e-2, 1e-3, 1e-4];
    const result = { history: errs.map((e, i) => ({ round: i + 1, seconds: (i + 1) / 10, relGradient: e })), wallSeconds: 0.4, rounds: 4 };
    const m = runMetrics(result, [1e-2, 1e-3, 1e-9]);
    expect(m.timeToTarget).toEqual([0.2, 0.3, null]);
    expect(m.errorMeasure).toBe('relGradient');
    expect(m.finalError).toBe(1e-4);
  });

  it('straggler tax pairs each run with the same scheme and seed under the baseline profile; the summary takes medians over seeds', () => {
    const exp = expandExperiment(parseExperiment(SMALL, 'x'), 'x');
    const wall = (id: string, chaos: string, seed: number): number => (chaos === 'none' ? 1 : 2 + seed) * (id.includes('frc') ? 0.5 : 1);
    const records: RunRecord[] = exp.runs.map((r) => ({
      format: 'coda-experiment-run/1', id: r.id, index: r.index, params: r.params, job: r.job,
      result: { wallSeconds: wall(r.id, r.params.chaos, r.params.seed), rounds: 10 + r.params.seed, history: [] },
    }));
    const rows = runRows(records.slice().reverse(), exp.spec.targets, exp.baseline);
    expect(rows.map((r) => r.record.id)).toEqual(exp.runs.map((r) => r.id));
    const taxed = rows.find((r) => r.record.params.chaos === 'lambda-tail' && r.record.params.seed === 2 && r.record.params.schemeName === 'frc')!;
    expect(taxed.stragglerTax).toBe(4);
    const g = summarize(rows, exp.spec.targets).find((x) => x.scheme === 'wait-all' && x.chaos === 'lambda-tail')!;
    expect(g.seeds).toEqual([1, 2, 3]);
    expect(g.wall).toMatchObject({ n: 3, median: 4, min: 3, max: 5 });
    expect(g.stragglerTax).toMatchObject({ median: 4, min: 3, max: 5 });
    expect(g.rounds?.median).toBe(12);
  });
});
