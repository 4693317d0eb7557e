import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoJob } from '../../cli/commands/demo';
import { runJob, writeJobOutputs } from '../../master';
import { jobOf } from '../../master';
import { readNpy } from '../../shared/tensor';
import { processAlive, withLocalCluster } from '../helpers/cluster-fixture';
import { jobContext } from '../helpers/job-context';

const tmp = mkdtempSync(join(tmpdir(), 'coda-ls-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('least squares on a local cluster (real processes, loopback gRPC)', () => {
  it('the demo problem (2000×40 Student-t, heavy-tailed delays) under wait-all matches the direct solve to < 1e-6', async () => {
    await withLocalCluster({ workers: 8 }, async (lc) => {
      const job = demoJob(8, 'wait-all', join(tmp, 'demo'));
      const out = await runJob(job, jobContext(lc));
      writeJobOutputs(job.out!, out);
      expect(out.result.stoppedBy).toBe('tol');
      expect(out.result.relErrorVsDirect).toBeLessThan(1e-6);
      expect(out.result.stragglersCutOff).toBe(0);
      // Every round sends x (40 doubles) to 8 slots and gets 8 gradients back, as bytes.
      const perRound = 8 * 40 * 8;
      expect(out.result.taskBytesSent).toBe(out.result.rounds * perRound);
      expect(out.result.taskBytesReceived).toBe(out.result.rounds * perRound);
      expect(out.result.bytesMoved).toBe(out.result.bytesPlaced + 2 * out.result.rounds * perRound);
      const x = readNpy(join(tmp, 'demo', 'x.npy'));
      expect(x.shape).toEqual([40]);
    });
  });

  for (const scheme of ['wait-all', 'ignore-stragglers'] as const) {
    it(`${scheme}: a worker killed with SIGKILL mid-job is detected, its slot moves, the job finishes`, async () => {
      await withLocalCluster({ workers: 6 }, async (lc) => {
        const job = jobOf('least-squares', {
          data: { synthetic: { kind: 'gaussian', rows: 1200, cols: 20, seed: 3 } },
          scheme: scheme === 'wait-all' ? { name: 'wait-all' } : { name: 'ignore-stragglers', q: 4 },
          workers: 6,
          chaos: { delay: { dist: 'constant', value: 0.01 }, seed: 1 },
          stop: { tol: 1e-10, maxRounds: scheme === 'wait-all' ? 2000 : 60, timeLimit: 60 },
        });
        const victim = lc.master.registry.get(2)!;
        let killedAt = 0;
        const out = await runJob(job, jobContext(lc, {
          onProgress: (p) => {
            if (p.round === 5) {
              process.kill(victim.pid, 'SIGKILL');
              killedAt = p.round;
            }
          },
        }));
        expect(killedAt).toBe(5);
        expect(processAlive(victim.pid)).toBe(false);
        expect(lc.master.registry.get(2)!.status).toBe('lost');
        expect(out.result.rounds).toBeGreaterThan(5);
        if (scheme === 'wait-all') {
          expect(out.result.slotsRelocated).toBeGreaterThanOrEqual(1);
          expect(out.result.stoppedBy).toBe('tol');
          expect(out.result.relErrorVsDirect).toBeLessThan(1e-6);
        } else {
          expect(out.result.stoppedBy).toBe('maxRounds');
          expect(Number.isFinite(out.result.relResidual)).toBe(true);
        }
      });
    });
  }
});
