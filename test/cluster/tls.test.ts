import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { runJob } from '../../master';
import { WorkerConnection } from '../../master/cluster/worker-client';
import { jobOf } from '../../master';
import { withLocalCluster } from '../helpers/cluster-fixture';
import { jobContext } from '../helpers/job-context';

/**
 * The certificates come from openssl. Without it the test is skipped with a loud line, unless
 * CODA_REQUIRE_OPENSSL=1 (CI), where a missing openssl is a failure.
 */
function opensslAvailable(): boolean {
  if (spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0) return true;
  const msg = '[tls] no openssl on PATH: TLS cluster test SKIPPED. Install: apt-get install -y openssl';
  if (process.env.CODA_REQUIRE_OPENSSL === '1') throw new Error(`${msg} (CODA_REQUIRE_OPENSSL=1 makes this a failure)`);
  console.warn(`\n${'!'.repeat(100)}\n${msg}\n${'!'.repeat(100)}\n`);
  return false;
}
const run = opensslAvailable();
const dir = mkdtempSync(join(tmpdir(), 'coda-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!run)('TLS between master and workers', () => {
  it('a cluster with certificates on both roles runs jobs (workers reading each other included); a plaintext client is refused', async () => {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    // A self-signed certificate for 127.0.0.1 that both roles present and trust.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const tls = { cert, key, ca: cert };
    await withLocalCluster({ workers: 3, master: { tls }, workerArgs: ['--tls-cert', cert, '--tls-key', key, '--tls-ca', cert] }, async (lc) => {
      const job = jobOf('least-squares', { data: { synthetic: { kind: 'gaussian', rows: 300, cols: 6, seed: 1 } }, workers: 3 });
      const out = await runJob(job, jobContext(lc));
      expect(out.result.relErrorVsDirect).toBeLessThan(1e-6);
      // AsyncEigenPro's workers read each other's slices of α over TLS too.
      const kr = jobOf('kernel-regression', {
        solver: 'eigenpro-async',
        data: { synthetic: { kind: 'regression', rows: 300, cols: 4, seed: 1 } },
        kernel: { name: 'laplacian', bandwidth: 2 },
        eigenpro: { nystrom: 50, q: 10, batch: 32, epochs: 3, evalPoints: 0 },
        workers: 3,
      });
      const async = (await runJob(kr, jobContext(lc))).result;
      expect(async.store).toMatchObject({ kind: 'sharded', lostWrites: 0 });
      expect(async.reads!.total).toBeGreaterThan(0);
      const plain = new WorkerConnection(0, lc.master.registry.get(0)!.address, undefined);
      // The bulk channel is plain TCP: under TLS a worker offers none, and blocks go through
      // LoadBlocks, encrypted.
      const secure = new WorkerConnection(0, lc.master.registry.get(0)!.address, undefined, tls);
      try {
        await expect(plain.runTask({ jobId: 'j', round: '1', slot: 0, blocks: [], noop: {} }, 3).promise).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
        expect(await secure.placeBlocks('tls-place', [{ id: 0, rows: 2, cols: 2, data: Float64Array.from([1, 2, 3, 4]), rowOffset: 0 }])).toEqual({ bytes: 32, via: 'grpc' });
      } finally {
        plain.close();
        secure.close();
      }
    });
  });
});
