import { describe, expect, it } from 'vitest';
import { registerScheme } from '../../core/schemes';
import { jobOf, runJob } from '../../master';
import { toyMirror } from '../fixtures/schemes/toy-mirror';
import { withLocalCluster } from '../helpers/cluster-fixture';
import { jobContext } from '../helpers/job-context';

// A scheme declared in one file (test/fixtures/schemes/toy-mirror.ts), registered: nothing else changes.
registerScheme(toyMirror);

describe('a toy scheme declared in one file, on a local cluster (real processes, loopback gRPC)', () => {
  it('runs in least squares, in the showdown and under the adaptive policy', async () => {
    await withLocalCluster({ workers: 4 }, async (lc) => {
      const data = { synthetic: { kind: 'student-t', rows: 800, cols: 10, seed: 5, df: 3 } };
      const chaos = { delay: { dist: 'lambda-tail', base: 0.002 }, seed: 2 };

      const ls = await runJob(jobOf('least-squares', { data, workers: 4, chaos, scheme: { name: 'toy-mirror' }, stop: { tol: 1e-10, maxRounds: 2000, timeLimit: 60 } }), jobContext(lc));
      expect(ls.result.stoppedBy).toBe('tol');
      expect(ls.result.relErrorVsDirect).toBeLessThan(1e-6);
      expect(ls.result.blocks).toBe(2);
      expect(ls.result.scheme).toMatchObject({ name: 'toy-mirror', slots: 4, mirrors: [[0, 2], [1, 3]] });

      const showdown = await runJob(
        jobOf('straggler-showdown', { data, workers: 4, chaos, schemes: [{ name: 'toy-mirror' }, { name: 'wait-all' }], target: 1e-3, timeBudget: 1, repeats: 1, tailFree: false }),
        jobContext(lc),
      );
      expect(showdown.result.summary.map((s) => s.scheme)).toEqual(['toy-mirror', 'wait-all']);
      expect(showdown.result.summary[0]!.timeToTarget).not.toBeNull();

      const adaptive = await runJob(
        jobOf('least-squares', { data, workers: 4, chaos, scheme: { name: 'adaptive', schemes: ['toy-mirror'], period: 1, warmup: 1 }, stop: { tol: 1e-10, maxRounds: 2000, timeLimit: 60 } }),
        jobContext(lc),
      );
      expect(adaptive.result.stoppedBy).toBe('tol');
      expect(adaptive.result.relErrorVsDirect).toBeLessThan(1e-6);
      expect(adaptive.result.adaptive!.final).toBe('toy-mirror');
      expect(adaptive.result.adaptive!.decisionsMade).toBeGreaterThan(0);
    });
  });
});
