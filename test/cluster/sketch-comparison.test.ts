import { describe, expect, it } from 'vitest';
import { parseJobOf, runJob } from '../../master';
import { withLocalCluster } from '../helpers/cluster-fixture';
import { jobContext } from '../helpers/job-context';

/**
 * The leverage paper's Table I job, small: 400×8 Student-t, K = 20 blocks of 20 rows, q = 4 of
 * 40 slots, 2 instances × 80 iterations, both arrival modes. With the cluster mode every
 * block-leverage iteration is a real round on the workers (40 tasks, the first 4 decoded).
 */
const job = (arrivals: string): string => `
job: sketch-comparison
data: { synthetic: { kind: student-t, rows: 400, cols: 8, df: 3, noise: 1, seed: 1 } }
workers: 4
blocks: 20
scheme: { name: leverage, q: 4, slots: 40 }
instances: 2
iterations: 80
stepFactors: [0.0042, 0.042, 0.42]
arrivals: ${arrivals}
chaos: { delay: { dist: shifted-exponential, shift: 0.001, rate: 2000 }, seed: 7 }
seed: 1
`;

interface Table {
  [method: string]: { mean: number[]; median: number[]; diverged: number[] };
}

describe('sketch-comparison (Table I) on a local cluster', () => {
  it('simulated and cluster arrivals: every method and step reported; at small steps the sketches track plain SD; the cluster mode ran its rounds on the workers', async () => {
    await withLocalCluster({ workers: 4 }, async (lc) => {
      const ctx = jobContext(lc);
      const leverageRounds = async (): Promise<number> => (await lc.master.metrics.rounds.get()).values.filter((v) => v.labels.scheme === 'leverage').reduce((s, v) => s + v.value, 0);
      const tables: Record<string, Table> = {};
      for (const arrivals of ['simulated', 'cluster']) {
        const before = await leverageRounds();
        const out = await runJob(parseJobOf('sketch-comparison', job(arrivals), 'test'), ctx);
        const r = out.result;
        expect(r.arrivals).toBe(arrivals);
        expect(Object.keys(r.table)).toEqual(['sd', 'gaussian', 'block-srht', 'block-leverage']);
        for (const m of Object.values(r.table)) {
          expect(m.mean).toHaveLength(3);
          for (const v of m.mean) expect(Number.isFinite(v)).toBe(true);
        }
        // The leverage plan's facts travel with the table (q, slots, the replica rule, φ, β).
        expect(r.leverage).toMatchObject({ q: 4, slots: 40, replicaRule: 'paper' });
        // Plain SD moves towards x* at every step size.
        const start = r.perInstance.reduce((s, p) => s + p.start, 0) / r.perInstance.length;
        for (const v of r.table.sd!.mean) expect(v).toBeLessThan(start);
        // Small steps average many iterations' sketches: every sketch lands where SD does.
        for (const m of ['gaussian', 'block-srht', 'block-leverage']) expect(Math.abs(r.table[m]!.mean[0]! - r.table.sd!.mean[0]!), m).toBeLessThan(0.05);
        const rounds = (await leverageRounds()) - before;
        expect(rounds).toBe(arrivals === 'cluster' ? 2 * 80 : 0);
        expect(out.summary).toMatch(/block-lvg/);
        tables[arrivals] = r.table;
      }
      // Both modes estimate the same gradient: at the smallest step they agree closely.
      expect(Math.abs(tables.cluster!['block-leverage']!.mean[0]! - tables.simulated!['block-leverage']!.mean[0]!)).toBeLessThan(0.05);
    });
  }, 180_000);
});
