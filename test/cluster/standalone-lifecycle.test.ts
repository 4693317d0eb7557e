import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port';
import { startMaster, type RunningMaster } from '../../master';
import { startWorker } from '../../worker';
import { CHANNEL_OPTIONS, channelCredentials, loadProtos } from '../../shared/wire';
import { pollFor } from '../helpers/cluster-fixture';
import { codaProcesses, type CodaProcess } from '../helpers/coda-process';

/**
 * The standalone roles as Kubernetes starts them: in any order, each waiting for the other, and
 * stopped by SIGTERM. Real processes of bin/coda.js and real gRPC on loopback.
 */
type Proc = CodaProcess;
const processes = codaProcesses();
let master: RunningMaster | undefined;
let dir: string | undefined;

const coda = (args: string[], cwd?: string): Proc => processes.start(args, cwd);

function health(address: string, serviceName: string): Promise<string> {
  const Health = grpc.makeGenericClientConstructor(healthService, 'Health');
  const c = new Health(address, grpc.credentials.createInsecure());
  return new Promise((res) => {
    c.check({ service: serviceName }, { deadline: Date.now() + 3000 }, (err: grpc.ServiceError | null, reply: { status: string }) => {
      c.close();
      res(err ? `error ${err.code}` : reply.status);
    });
  });
}

afterEach(async () => {
  expect(await processes.stopAll(), 'processes left behind').toEqual([]);
  await master?.stop();
  master = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('a standalone worker and its master, in either order', () => {
  it('a worker started before its master keeps trying, joins when the master comes, and is ready only then', async () => {
    const masterPort = await freePort();
    const workerPort = await freePort();
    const w = coda(['worker', `--master=127.0.0.1:${masterPort}`, '--host=127.0.0.1', `--port=${workerPort}`]);
    await pollFor(() => /cannot register with master; retrying/.test(w.output()), 20_000, 'a failed registration');
    // Alive (liveness) but not ready (readiness) while it has no master.
    expect(await health(`127.0.0.1:${workerPort}`, '')).toBe('SERVING');
    expect(await health(`127.0.0.1:${workerPort}`, 'coda.v1.Worker')).toBe('NOT_SERVING');

    master = await startMaster({ host: '127.0.0.1', port: masterPort });
    await master.waitForWorkers(1, 20_000);
    expect(master.registry.alive()[0]!.address).toBe(`127.0.0.1:${workerPort}`);
    await pollFor(() => /worker 0 listening/.test(w.output()), 10_000, 'the worker to report its index');
    expect(await health(`127.0.0.1:${workerPort}`, 'coda.v1.Worker')).toBe('SERVING');

    // SIGTERM: drains and exits 0 on its own.
    w.child.kill('SIGTERM');
    expect(await w.exit).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('readiness follows registration both ways: a worker whose master is killed turns NOT_SERVING, and SERVING once a new master takes it back', async () => {
    const masterPort = await freePort();
    const workerPort = await freePort();
    const masterArgs = ['master', '--host=127.0.0.1', `--port=${masterPort}`, '--metrics-port=0'];
    let m = coda(masterArgs);
    await pollFor(() => /master listening/.test(m.output()), 20_000, 'the master');
    const w = coda(['worker', `--master=127.0.0.1:${masterPort}`, '--host=127.0.0.1', `--port=${workerPort}`]);
    await pollFor(() => /worker 0 listening/.test(w.output()), 20_000, 'the worker to register');
    const ready = (): Promise<string> => health(`127.0.0.1:${workerPort}`, 'coda.v1.Worker');
    const until = async (status: string, what: string): Promise<void> => {
      const deadline = Date.now() + 30_000;
      while ((await ready()) !== status) {
        if (Date.now() > deadline) throw new Error(`${what}: still ${await ready()}\n${w.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    expect(await ready()).toBe('SERVING');

    // The master dies without a word (an OOM kill, a lost node): the worker is no longer ready,
    // but alive: liveness must not restart a worker that merely waits for its master.
    m.child.kill('SIGKILL');
    await m.exit;
    await until('NOT_SERVING', 'readiness after the master was killed');
    expect(await health(`127.0.0.1:${workerPort}`, '')).toBe('SERVING');
    expect(w.child.exitCode).toBeNull();

    // A new master process on the same address: the worker registers again and is ready again.
    m = coda(masterArgs);
    await until('SERVING', 'readiness after the master came back');
    expect(m.output()).toMatch(/"msg":"worker joined"/);

    // Once more, with a master stopped by SIGTERM (a rollout): the same both ways.
    m.child.kill('SIGTERM');
    expect((await m.exit).code).toBe(0);
    await until('NOT_SERVING', 'readiness after the master stopped');
    m = coda(masterArgs);
    await until('SERVING', 'readiness after the second master came');
    w.child.kill('SIGTERM');
    expect(await w.exit).toEqual({ code: 0, signal: null });
  }, 120_000);

  it('SIGTERM ends a worker still waiting for its master through its own handler (what PID 1 needs)', async () => {
    const w = coda(['worker', `--master=127.0.0.1:${await freePort()}`, '--host=127.0.0.1', '--port=0']);
    await pollFor(() => /cannot register with master; retrying/.test(w.output()), 20_000, 'a failed registration');
    w.child.kill('SIGTERM');
    // Killed by the signal's default action, the process would report signal SIGTERM and no
    // code; as PID 1 in a container that default does not exist and the signal would be lost.
    expect(await w.exit).toEqual({ code: 143, signal: null });
  }, 30_000);

  it('a worker with --register-timeout gives up after it (local clusters pass 30 s)', async () => {
    const w = coda(['worker', `--master=127.0.0.1:${await freePort()}`, '--host=127.0.0.1', '--port=0', '--register-timeout=1']);
    const { code } = await w.exit;
    expect(code).toBe(3);
    expect(w.output()).toMatch(/cannot register with master 127\.0\.0\.1:\d+/);
  }, 30_000);

  it('a submitter started first waits for the master, the master for the job\'s workers, then the job runs', async () => {
    dir = mkdtempSync(join(tmpdir(), 'coda-standalone-'));
    writeFileSync(
      join(dir, 'job.yaml'),
      'job: least-squares\ndata: { synthetic: { kind: gaussian, rows: 300, cols: 6, seed: 3 } }\nstop: { tol: 1.0e-10, maxRounds: 2000, timeLimit: 60 }\n',
    );
    const port = await freePort();
    // --workers=2 overrides the file's default of 8 on the master's side too.
    const submit = coda(['run', 'job.yaml', `--master=127.0.0.1:${port}`, '--workers=2', '--wait-master=60', '--out=out'], dir);
    const m = coda(['master', '--host=127.0.0.1', `--port=${port}`, '--metrics-port=0']);
    await pollFor(() => /waiting up to 300 s for 2 workers \(0 alive\)/.test(submit.output()), 30_000, 'the master to hold the job for its workers');
    for (let i = 0; i < 2; i++) coda(['worker', `--master=127.0.0.1:${port}`, '--host=127.0.0.1', '--port=0']);
    const { code } = await submit.exit;
    expect(code, submit.output()).toBe(0);
    const result = JSON.parse(readFileSync(join(dir, 'out', 'result.json'), 'utf8')) as { workers: number; relErrorVsDirect: number };
    expect(result.workers).toBe(2);
    expect(result.relErrorVsDirect).toBeLessThan(1e-6);
    m.child.kill('SIGTERM');
    expect(await m.exit).toEqual({ code: 0, signal: null });
  }, 90_000);
});

describe('the master decides who is worker i', () => {
  const register = (address: string, req: { address: string; requestedIndex: number }): Promise<{ index: number }> => {
    const { master: proto } = loadProtos();
    const c = new proto.coda.v1.Master(address, channelCredentials(), CHANNEL_OPTIONS);
    return new Promise((res, rej) =>
      c.register({ ...req, pid: 1 }, new grpc.Metadata(), { deadline: Date.now() + 5000 }, (err, reply) => {
        c.close();
        if (err) rej(err);
        else res(reply!);
      }),
    );
  };

  it('refuses an index a live worker at another address holds (ALREADY_EXISTS)', async () => {
    master = await startMaster({ host: '127.0.0.1', port: 0 });
    // A real worker holds index 0 (a registration without a server behind it would be lost at
    // once: the master opens its task stream and finds nobody).
    const holder = await startWorker({ master: master.address, host: '127.0.0.1', port: 0, index: 0 });
    try {
      expect(holder.index).toBe(0);
      await expect(register(master.address, { address: '127.0.0.1:40002', requestedIndex: 0 })).rejects.toMatchObject({
        code: grpc.status.ALREADY_EXISTS,
        details: `worker index 0 is held by a live worker at ${holder.address}`,
      });
    } finally {
      await holder.drain(0);
    }
  });

  it('with --worker-statefulset, refuses a worker that does not advertise its own pod name, or connects from elsewhere (PERMISSION_DENIED)', async () => {
    // Namespace "invalid": the full names end in the reserved TLD .invalid, which never resolves.
    master = await startMaster({ host: '127.0.0.1', port: 0, workerStatefulSet: 'coda-worker', workerNamespace: 'invalid' });
    await expect(register(master.address, { address: '127.0.0.1:40001', requestedIndex: 0 })).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
      details: expect.stringMatching(/must advertise the DNS name of pod coda-worker-0/),
    });
    // The pod label under another domain: refused before any lookup.
    await expect(register(master.address, { address: 'coda-worker-0.attacker.example:7070', requestedIndex: 0 })).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
      details: expect.stringMatching(/must advertise the DNS name of pod coda-worker-0/),
    });
    // A name of the pod that does not resolve here: no proof of who the caller is.
    await expect(register(master.address, { address: 'coda-worker-0.coda-worker.invalid:7070', requestedIndex: 0 })).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
      details: expect.stringMatching(/cannot resolve the advertised name/),
    });
    expect(master.registry.all()).toEqual([]);
  });
});

describe('the worker count from a DNS name (compose --scale, a StatefulSet scaled)', () => {
  it('coda master --job --workers-from-dns runs the job on as many workers as the name resolves to, once each has registered', async () => {
    dir = mkdtempSync(join(tmpdir(), 'coda-dns-workers-'));
    // The file asks for 4; the name (localhost: one address of each family, one host) says 1.
    writeFileSync(join(dir, 'job.yaml'), 'job: least-squares\ndata: { synthetic: { kind: gaussian, rows: 200, cols: 5, seed: 3 } }\nworkers: 4\nstop: { tol: 1.0e-10, maxRounds: 2000, timeLimit: 60 }\n');
    const port = await freePort();
    const m = coda(['master', '--host=127.0.0.1', `--port=${port}`, '--metrics-port=0', '--job=job.yaml', '--min-workers=1', '--workers-from-dns=localhost', '--workers-settle=0.5', '--out=out', '--exit-after-job'], dir);
    await pollFor(() => /master listening/.test(m.output()), 20_000, 'the master');
    coda(['worker', `--master=127.0.0.1:${port}`, '--host=127.0.0.1', '--port=0']);
    expect((await m.exit).code, m.output()).toBe(0);
    const result = JSON.parse(readFileSync(join(dir, 'out', 'result.json'), 'utf8')) as { workers: number; relErrorVsDirect: number };
    expect(result.workers).toBe(1);
    expect(result.relErrorVsDirect).toBeLessThan(1e-6);
  }, 60_000);

  it('refuses --workers-from-dns where it has no meaning (exit 2, before anything starts)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'coda-dns-workers-'));
    writeFileSync(join(dir, 'job.yaml'), 'job: least-squares\ndata: { synthetic: { kind: gaussian, rows: 200, cols: 5, seed: 3 } }\n');
    const local = coda(['run', 'job.yaml', '--workers-from-dns=worker'], dir);
    expect((await local.exit).code).toBe(2);
    expect(local.output()).toMatch(/--workers-from-dns needs --master/);
    const both = coda(['run', 'job.yaml', '--master=127.0.0.1:1', '--workers=2', '--workers-from-dns=worker'], dir);
    expect((await both.exit).code).toBe(2);
    expect(both.output()).toMatch(/--workers and --workers-from-dns both set the worker count/);
    const noJob = coda(['master', '--host=127.0.0.1', '--port=0', '--metrics-port=0', '--workers-from-dns=worker']);
    expect((await noJob.exit).code).toBe(2);
    expect(noJob.output()).toMatch(/--workers-from-dns counts the workers of the master's own --job/);
  }, 60_000);
});
