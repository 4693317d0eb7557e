import { describe, expect, it } from 'vitest';
import { parseJobOf } from '../../master';
import { runJob } from '../../master';
import { withLocalCluster } from '../helpers/cluster-fixture';
import { jobContext } from '../helpers/job-context';

/**
 * Both solvers against the direct solution of Kα = y on n = 1000 (1250 points, 20% held out),
 * on real worker processes: training error below 1e-4 and test predictions within 1% of the
 * direct solution's. The asynchronous solver on the sharded store (the default).
 */
const job = (solver: string): string => `
job: kernel-regression
solver: ${solver}
data: { synthetic: { kind: regression, rows: 1250, cols: 5, noise: 0.1, seed: 3 }, testFraction: 0.2 }
kernel: { name: laplacian, bandwidth: 2 }
eigenpro: { nystrom: 300, q: 40, batch: 64, epochs: 60, evalPoints: 0, evalsPerEpoch: 1 }
workers: 2
seed: 4
`;

describe('kernel-regression on a local cluster', () => {
  it('eigenpro-sync and eigenpro-async both match the direct solve', async () => {
    await withLocalCluster({ workers: 2, stderr: 'ignore' }, async (lc) => {
      for (const solver of ['eigenpro-sync', 'eigenpro-async']) {
        const out = await runJob(parseJobOf('kernel-regression', job(solver), 'test'), jobContext(lc));
        const r = out.result;
        expect(r.data.n).toBe(1000);
        expect(r.final.trainRelError, `${solver} relative training error`).toBeLessThan(1e-4);
        expect(r.directReference!.testPredictionRelDiff, `${solver} test predictions vs direct`).toBeLessThan(0.01);
        expect(out.tensors['alpha.npy']!.values.length).toBe(1000);
        expect(out.files?.['model.json']).toContain('laplacian');
        if (solver === 'eigenpro-async') {
          // Every worker updated its slice, and reads were stale by about the other worker's writes.
          expect(r.perWorker!.every((w) => w.updates > 0)).toBe(true);
          expect(r.perWorker!.reduce((s, w) => s + w.updates, 0)).toBeGreaterThanOrEqual(Math.ceil((60 * 1000) / 64));
          // α was sharded (each worker's slice on the worker), and every write reached it.
          expect(r.store!.kind).toBe('sharded');
          expect(r.store!.lostWrites).toBe(0);
          expect(r.store!.maxChecksumGap).toBeLessThan(1e-9);
          expect(r.perWorker!.every((w) => w.sliceVersion === w.updates)).toBe(true);
          expect(r.reads!.versionRegressions).toBe(0);
        }
      }
    });
  }, 240_000);
});
