import { describe, expect, it } from 'vitest';
import { jobOf, runJob } from '../../master';
import { withLocalCluster } from '../helpers/cluster-fixture';
import { jobContext } from '../helpers/job-context';

describe('straggler showdown (every scheme on one cluster)', () => {
  it('runs every scheme under the delay, tail-free and with no delay; exact schemes reach the target and the direct solution; approximate schemes get the same slots and answers', async () => {
    const base = 0.004;
    await withLocalCluster({ workers: 6 }, async (lc) => {
      const job = jobOf('straggler-showdown', {
        data: { synthetic: { kind: 'student-t', rows: 1200, cols: 12, seed: 2, df: 3 } },
        workers: 6,
        chaos: { delay: { dist: 'lambda-tail', base }, seed: 3 },
        target: 1e-3,
        timeBudget: 1.5,
        repeats: 1,
      });
      const out = await runJob(job, jobContext(lc));
      const summary = out.result.summary;
      expect(summary.map((s) => s.scheme.replace(/\(.*/, ''))).toEqual(['wait-all', 'ignore-stragglers', 'speculative', 'replication', 'frc', 'mds', 'leverage']);
      const runs = out.result.runs;
      expect(runs).toHaveLength(7 * 3);
      for (const s of summary.filter((x) => !/ignore|leverage/.test(x.scheme))) {
        expect(s.timeToTarget, s.scheme).not.toBeNull();
        // Well past the target within the budget (how far depends on the machine's load).
        expect(s.bestErrorInBudget, s.scheme).toBeLessThan(1e-6);
        // Exact gradients and an exact line search: the same iterates whatever the delays, so
        // the heavy-tailed run needs as many iterations as the no-delay run, and each waited at
        // least the base delay of its tasks. The tax is that wait, not different work.
        const heavy = runs.find((r) => r.label === s.scheme && r.condition === 'heavy-tailed')!;
        const none = runs.find((r) => r.label === s.scheme && r.condition === 'no-delay')!;
        expect(heavy.roundsToTarget, s.scheme).toBe(none.roundsToTarget);
        expect(heavy.timeToTarget!, s.scheme).toBeGreaterThanOrEqual(none.roundsToTarget! * base);
        expect(s.stragglerTax, s.scheme).toBeCloseTo(heavy.timeToTarget! / none.timeToTarget!, 12);
      }
      // Fair: both approximate schemes send 6 tasks a round and decode from the first ⌈0.75·6⌉ = 5.
      expect(out.result.approximate).toEqual({ slots: 6, answers: 5 });
      for (const s of summary.filter((x) => /ignore|leverage/.test(x.scheme))) {
        expect(s.slots, s.scheme).toBe(6);
        expect(s.answersPerRound, s.scheme).toBe(5);
      }
      expect(summary.find((s) => s.scheme.startsWith('wait-all'))!.answersPerRound).toBe(6);
      expect(out.summary).toMatch(/t→target/);
      expect(out.summary).toMatch(/slots +answers/);
    });
  });
});
