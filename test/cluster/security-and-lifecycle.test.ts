import { spawn } from 'node:child_process';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { service as healthService } from 'grpc-health-check';
import { submitJob } from '../../client';
import { WorkerConnection } from '../../master/cluster/worker-client';
import { UnauthenticatedError } from '../../shared/errors';
import { loadProtos } from '../../shared/wire';
import { processAlive, pollFor, withLocalCluster } from '../helpers/cluster-fixture';

describe('cluster token', () => {
  it('a worker with a token refuses tasks, placement, chaos configuration, cancellation and drops from a caller without it, accepts the right one', async () => {
    await withLocalCluster({ workers: 1, token: 's3cret-token' }, async (lc) => {
      const w = lc.master.registry.get(0)!;
      const anon = new WorkerConnection(0, w.address, undefined);
      const wrong = new WorkerConnection(0, w.address, 'not-it');
      const right = new WorkerConnection(0, w.address, 's3cret-token');
      try {
        for (const c of [anon, wrong]) {
          await expect(c.runTask({ jobId: 'j', round: '1', slot: 0, blocks: [], noop: {} }, 5).promise).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
          await expect(c.loadBlocks('j', [{ id: 0, rows: 1, cols: 1, data: Float64Array.from([1]), rowOffset: 0 }])).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
          // Configure would let anyone make the worker a straggler (or crash it): refused too.
          await expect(c.configure('j', { delay: { dist: 'constant', value: 5 }, fault: { dropProbability: 1, hangProbability: 0, crashAfterTasks: 1 }, seed: 1, cores: 1 })).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
          await expect(c.cancelTasks('j', '1', [0])).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
          await expect(c.dropBlocks('j')).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
        }
        // The refused Configure changed nothing: a task with the right token answers, undelayed.
        const ok = await right.runTask({ jobId: 'j', round: '1', slot: 0, blocks: [], noop: {} }, 5).promise;
        expect(ok.workerIndex).toBe(0);
        expect(ok.timings?.injectedDelaySeconds ?? 0).toBe(0);
        await right.configure('j', 'reset');
      } finally {
        [anon, wrong, right].forEach((c) => c.close());
      }
    });
  });
});

describe('cluster token on the master', () => {
  it('Register, Heartbeat, the parameter store and SubmitJob refuse a caller without the token (one interceptor); health probes need none', async () => {
    await withLocalCluster({ workers: 1, token: 's3cret-token' }, async (lc) => {
      const { master } = loadProtos();
      const anon = new master.coda.v1.Master(lc.master.address, grpc.credentials.createInsecure());
      const health = new (grpc.makeGenericClientConstructor(healthService, 'Health'))(lc.master.address, grpc.credentials.createInsecure());
      try {
        const unary = <T>(f: (cb: (err: grpc.ServiceError | null, res?: T) => void) => void): Promise<T> =>
          new Promise((resolve, reject) => f((err, res) => (err ? reject(err) : resolve(res!))));
        for (const call of [
          () => unary((cb) => anon.register({ address: '127.0.0.1:1', requestedIndex: -1, pid: 1 }, cb)),
          () => unary((cb) => anon.heartbeat({ index: 0, tasksRunning: 0 }, cb)),
          () => unary((cb) => anon.readParameters({ name: 'x' }, cb)),
        ]) {
          await expect(call()).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: 'missing or wrong cluster token' });
        }
        const submitted = submitJob(lc.master.address, 'job: least-squares\ndata: { synthetic: { kind: gaussian, rows: 20, cols: 2 } }\nworkers: 1\n');
        // The error table on the client side: a refusal for the token is the caller's (exit 2), not the cluster's.
        await expect(submitted).rejects.toBeInstanceOf(UnauthenticatedError);
        await expect(submitted).rejects.toMatchObject({ exitCode: 2 });
        const status = await unary<{ status: unknown }>((cb) => (health as unknown as { check(r: object, cb: (e: grpc.ServiceError | null, r?: { status: unknown }) => void): void }).check({ service: '' }, cb));
        expect(status.status).toBe('SERVING');
      } finally {
        anon.close();
        health.close();
      }
    });
  });
});

describe('a worker checks what it is told', () => {
  it('Configure is range-checked on the worker (a drop probability of 5 is refused, nothing changes); a placed block larger than the worker takes is refused before it is allocated', async () => {
    await withLocalCluster({ workers: 1 }, async (lc) => {
      const w = lc.master.registry.get(0)!;
      const c = new WorkerConnection(0, w.address, undefined);
      try {
        await expect(c.configure('j', { delay: { dist: 'none' }, fault: { dropProbability: 5, hangProbability: 0, crashAfterTasks: 0 }, seed: 1, cores: 1 })).rejects.toMatchObject({
          code: grpc.status.INVALID_ARGUMENT,
          details: expect.stringMatching(/Configure.fault: dropProbability: Number must be less than or equal to 1/),
        });
        await expect(c.configure('j', { delay: { dist: 'exponential', rate: -1 }, fault: { dropProbability: 0, hangProbability: 0, crashAfterTasks: 0 }, seed: 1, cores: 1 })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
        const ok = await c.runTask({ jobId: 'j', round: '1', slot: 0, blocks: [], noop: {} }, 5).promise;
        expect(ok.timings?.injectedDelaySeconds ?? 0).toBe(0);
        // A header announcing a 10¹²-byte block: refused at the header, no data sent, nothing allocated.
        const huge = { id: 0, rows: 1e6, cols: 1e5, data: new Float64Array(0), rowOffset: 0 };
        await expect(c.loadBlocks('j', [huge])).rejects.toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED, details: expect.stringMatching(/more than this worker takes/) });
      } finally {
        c.close();
      }
    });
  });
});

describe('cancellation', () => {
  it('CancelTasks ends the named running tasks of a round with CANCELLED; others run on', async () => {
    await withLocalCluster({ workers: 1 }, async (lc) => {
      const w = lc.master.registry.get(0)!;
      const c = new WorkerConnection(0, w.address, undefined);
      try {
        await c.configure('t', { delay: { dist: 'constant', value: 0.5 }, fault: { dropProbability: 0, hangProbability: 0, crashAfterTasks: 0 }, seed: 1, cores: 1 });
        const tasks = [0, 1, 2].map((slot) => c.runTask({ jobId: 'j', round: '7', slot, blocks: [], noop: {} }, 30));
        const settled = tasks.map((t) => t.promise.then((res) => ({ res, err: undefined }), (err: grpc.ServiceError) => ({ res: undefined, err })));
        await new Promise((r) => setTimeout(r, 100));
        expect(await c.cancelTasks('j', '7', [0, 1])).toBe(2);
        const [a, b, d] = await Promise.all(settled);
        expect(a!.err).toMatchObject({ code: grpc.status.CANCELLED, details: 'cancelled by the master (straggler)' });
        expect(b!.err).toMatchObject({ code: grpc.status.CANCELLED });
        expect(d!.res?.slot).toBe(2);
        // Nothing left to cancel, and other rounds are untouched.
        expect(await c.cancelTasks('j', '7', [0, 1, 2])).toBe(0);
      } finally {
        c.close();
      }
    });
  });
});

describe('gRPC health', () => {
  it('master and every worker answer grpc.health.v1.Health/Check with SERVING', async () => {
    const { service } = await import('grpc-health-check');
    const Health = grpc.makeGenericClientConstructor(service, 'Health');
    const check = (address: string, name: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const c = new Health(address, grpc.credentials.createInsecure());
        c.check({ service: name }, { deadline: Date.now() + 5000 }, (err: grpc.ServiceError | null, reply: { status: string }) => {
          c.close();
          err ? reject(err) : resolve(reply.status);
        });
      });
    await withLocalCluster({ workers: 2 }, async (lc) => {
      expect(await check(lc.master.address, '')).toBe('SERVING');
      expect(await check(lc.master.address, 'coda.v1.Master')).toBe('SERVING');
      for (const w of lc.master.registry.alive()) {
        expect(await check(w.address, '')).toBe('SERVING');
        expect(await check(w.address, 'coda.v1.Worker')).toBe('SERVING');
      }
    });
  });
});

describe('local cluster lifecycle', () => {
  it('picks free ports: two clusters run side by side', async () => {
    await withLocalCluster({ workers: 2 }, async (a) => {
      await withLocalCluster({ workers: 2 }, async (b) => {
        expect(a.master.port).not.toBe(b.master.port);
        const ports = [...a.master.registry.alive(), ...b.master.registry.alive()].map((w) => w.address);
        expect(new Set(ports).size).toBe(4);
      });
    });
  });

  it('leaves no worker behind when its parent is killed with SIGKILL', async () => {
    const script = `
      const { startLocalCluster } = require(${JSON.stringify(join(__dirname, '../../dist/launcher'))});
      startLocalCluster({ workers: 3 }).then((lc) => process.stdout.write(JSON.stringify(lc.workers.map((w) => w.pid)) + '\\n'));
      setInterval(() => {}, 1000);
    `;
    const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    const pids = await new Promise<number[]>((resolve, reject) => {
      let buf = '';
      parent.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('\n')) resolve(JSON.parse(buf) as number[]);
      });
      parent.on('exit', () => reject(new Error('parent exited early')));
    });
    expect(pids).toHaveLength(3);
    expect(pids.every(processAlive)).toBe(true);
    parent.kill('SIGKILL');
    await pollFor(() => pids.every((p) => !processAlive(p)), 10_000, 'orphaned workers to exit');
  });
});
