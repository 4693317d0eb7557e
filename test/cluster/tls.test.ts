import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { runJob } from '../../master';
import { WorkerConnection } from '../../master/cluster/worker-client';
import { jobSchema } from '../../shared/config';
import { withLocalCluster } from '../helpers/cluster-fixture';

const opensslAvailable = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'coda-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!opensslAvailable)('TLS between master and workers', () => {
  it('a cluster with certificates on both roles runs a job; a plaintext client is refused', async () => {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    // A self-signed certificate for 127.0.0.1 that both roles present and trust.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const tls = { cert, key, ca: cert };
    await withLocalCluster({ workers: 3, master: { tls }, workerArgs: ['--tls-cert', cert, '--tls-key', key, '--tls-ca', cert] }, async (lc) => {
      const job = jobSchema.parse({ job: 'least-squares', data: { synthetic: { kind: 'gaussian', rows: 300, cols: 6, seed: 1 } }, workers: 3 });
      const out = await runJob(job, { cluster: lc.master.cluster, metrics: lc.master.metrics, log: lc.master.log });
      expect(out.result.relErrorVsDirect as number).toBeLessThan(1e-6);
      const plain = new WorkerConnection(0, lc.master.registry.get(0)!.address, undefined);
      try {
        await expect(plain.runTask({ jobId: 'j', round: '1', slot: 0, blocks: [], noop: {} }, 3).promise).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
      } finally {
        plain.close();
      }
    });
  });
});
