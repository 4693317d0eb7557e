import { describe, expect, it } from 'vitest';
import { formatSpread, medianWithInfinity, oracleMarkdown, oracleTable, rowsOver, seedSpread, type OracleRun } from '../../../bench/adaptive-oracle-table';
import { slowestWorker } from '../../../bench/adaptive-oracle';

const run = (config: string, seed: number, seconds: number | null, kind: OracleRun['kind'] = 'fixed', condition = 'slow-worker', length = 'short'): OracleRun => ({ condition, length, seed, config, kind, seconds, rounds: 50 });

describe('the adaptive-oracle table', () => {
  it('counts a seed that never reached the target as +∞ in the median, and says how many reached it', () => {
    expect(medianWithInfinity([1, 3, Infinity])).toBe(3);
    expect(medianWithInfinity([1, Infinity, Infinity])).toBe(Infinity);
    expect(medianWithInfinity([1, 2, 3, Infinity])).toBe(2.5);
    expect(medianWithInfinity([1, 2, Infinity, Infinity])).toBe(Infinity);
    expect(seedSpread([0.5, null, 0.7])).toEqual({ median: 0.7, min: 0.5, max: Infinity, reached: 2, seeds: 3 });
    expect(formatSpread(seedSpread([0.5, null, 0.7]))).toBe('0.70 (0.50–∞), 2/3');
    expect(formatSpread(seedSpread([null, null]))).toBe('never, 0/2');
  });

  it('the oracle is the fixed configuration with the least median over the seeds, chosen after the fact; ratios pair seeds', () => {
    const runs = [
      // fast on two seeds, never on the third: its median is its slower finite time
      run('frc s=1 cover', 1, 0.8), run('frc s=1 cover', 2, 0.9), run('frc s=1 cover', 3, null),
      run('wait-all', 1, 2.0), run('wait-all', 2, 2.1), run('wait-all', 3, 1.9),
      // the fastest on one seed, but its median is worse
      run('replication r=2', 1, 0.5), run('replication r=2', 2, 1.5), run('replication r=2', 3, 1.6),
      run('adaptive', 1, 0.88, 'adaptive'), run('adaptive', 2, 1.8, 'adaptive'), run('adaptive', 3, 1.0, 'adaptive'),
    ];
    const [row] = oracleTable(runs);
    expect(row!.oracle).toMatchObject({ config: 'frc s=1 cover', median: 0.9, reached: 2, seeds: 3 });
    expect(row!.runnersUp.map((c) => c.config)).toEqual(['replication r=2', 'wait-all']);
    const v = row!.variants[0]!;
    expect(v.config).toBe('adaptive');
    // Per seed: 0.88/0.8 = 1.1, 1.8/0.9 = 2; on seed 3 the oracle never reached the target and adaptive did: 0.
    expect(v.ratio.median).toBeCloseTo(1.1, 12);
    expect(v.ratio.min).toBe(0);
    expect(v.ratio.max).toBeCloseTo(2, 12);
    expect(v.ratio.seeds).toBe(3);
    expect(rowsOver([row!], 'adaptive', 1.05)).toHaveLength(1);
    expect(rowsOver([row!], 'adaptive', 1.15)).toHaveLength(0);
    const md = oracleMarkdown([row!], { rounds: { short: 50 } });
    expect(md.split('\n')[0]).toBe('| condition | job | oracle fixed scheme | oracle s | adaptive s | adaptive / oracle |');
    expect(md.split('\n')[2]).toBe('| slow-worker | short (50 rounds) | frc s=1 cover | 0.90 (0.80–∞), 2/3 | 1.00 (0.88–1.80), 3/3 | **1.10×** (0.00–2.00) |');
    // Adaptive never reaching the target where the oracle did is +∞; neither reaching it leaves the seed out.
    const worse = oracleTable([run('wait-all', 1, 1), run('wait-all', 2, null), run('adaptive', 1, null, 'adaptive'), run('adaptive', 2, null, 'adaptive')]);
    expect(worse[0]!.variants[0]!.ratio).toMatchObject({ median: Infinity, seeds: 1 });
  });

  it('one row per condition and length, in the order the runs name them; adaptive is never its own oracle', () => {
    const runs = [run('wait-all', 1, 1, 'fixed', 'none', 'long'), run('adaptive', 1, 0.1, 'adaptive', 'none', 'long'), run('wait-all', 1, 2, 'fixed', 'none', 'short'), run('adaptive', 1, 2, 'adaptive', 'none', 'short')];
    const rows = oracleTable(runs);
    expect(rows.map((r) => `${r.condition}/${r.length}/${r.oracle.config}`)).toEqual(['none/long/wait-all', 'none/short/wait-all']);
    expect(rows[0]!.variants[0]!.ratio.median).toBeCloseTo(0.1, 12);
    expect(rowsOver(rows, 'adaptive', 1.15)).toEqual([]);
  });

  it('the slowest worker of a run is the one with the largest median answer time', () => {
    const history = [0.01, 0.011, 0.5, 0.012].map((s3) => ({ arrivals: [0, 1, 2, 3].map((w) => ({ worker: w, seconds: w === 2 ? 0.05 : w === 3 ? s3 : 0.01 })) }));
    expect(slowestWorker(history)).toBe(2);
    expect(slowestWorker([])).toBeUndefined();
  });
});
