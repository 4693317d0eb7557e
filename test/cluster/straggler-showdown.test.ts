import { describe, expect, it } from 'vitest';
import { runJob } from '../../master';
import { jobSchema } from '../../shared/config';
import { withLocalCluster } from '../helpers/cluster-fixture';

describe('straggler showdown (every scheme on one cluster)', () => {
  it('runs every scheme under the delay, tail-free and with no delay; exact schemes reach the target and the direct solution', async () => {
    await withLocalCluster({ workers: 6 }, async (lc) => {
      const job = jobSchema.parse({
        job: 'straggler-showdown',
        data: { synthetic: { kind: 'student-t', rows: 1200, cols: 12, seed: 2, df: 3 } },
        workers: 6,
        chaos: { delay: { dist: 'lambda-tail', base: 0.004 }, seed: 3 },
        target: 1e-3,
        timeBudget: 1.5,
        repeats: 1,
      });
      const out = await runJob(job, { cluster: lc.master.cluster, metrics: lc.master.metrics, log: lc.master.log });
      const summary = out.result.summary as { scheme: string; timeToTarget: number | null; bestErrorInBudget: number; stragglerTax: number | null }[];
      expect(summary.map((s) => s.scheme.replace(/\(.*/, ''))).toEqual(['wait-all', 'ignore-stragglers', 'speculative', 'replication', 'frc', 'mds', 'leverage']);
      const runs = out.result.runs as { condition: string }[];
      expect(runs).toHaveLength(7 * 3);
      for (const s of summary.filter((x) => !/ignore|leverage/.test(x.scheme))) {
        expect(s.timeToTarget, s.scheme).not.toBeNull();
        expect(s.bestErrorInBudget, s.scheme).toBeLessThan(1e-8);
        expect(s.stragglerTax, s.scheme).toBeGreaterThan(0);
      }
      expect(out.summary).toMatch(/t→target/);
    });
  });
});
