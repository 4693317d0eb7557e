import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { arrayFromValues, submitJob, uploadArrays } from '../../client';
import { InputError, ResourceError, ShapeError } from '../../shared/errors';
import { formatNpy, readNpy } from '../../shared/tensor';
import { Rng } from '../../shared/random';
import { pollFor, withLocalCluster } from '../helpers/cluster-fixture';
import { codaProcesses } from '../helpers/coda-process';
import { freePort } from '../helpers/free-port';

const processes = codaProcesses();
afterEach(async () => {
  expect(await processes.stopAll(), 'processes left behind').toEqual([]);
});

const tmp = mkdtempSync(join(tmpdir(), 'coda-upload-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const coda = join(__dirname, '../../bin/coda.js');

/** A seeded consistent system: b = A x*, so least squares must return x*. */
function problem(rows: number, cols: number, seed: number): { A: Float64Array; b: Float64Array; x: Float64Array } {
  const rng = new Rng(seed);
  const A = Float64Array.from({ length: rows * cols }, () => rng.normal());
  const x = Float64Array.from({ length: cols }, () => rng.normal());
  const b = new Float64Array(rows);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) b[i]! += A[i * cols + j]! * x[j]!;
  return { A, b, x };
}

const LS = 'job: least-squares\ndata: { A: "upload:A", b: "upload:b" }\nworkers: 2\nstop: { tol: 1.0e-12, maxRounds: 3000, timeLimit: 60 }\n';

function freshDir(name: string): string {
  const d = join(tmp, name);
  mkdirSync(d, { recursive: true });
  return d;
}

describe('arrays over the wire (UploadArrays + SubmitJob upload:NAME)', () => {
  it('a job on uploaded arrays solves them; a refused upload, a refused job, a cancelled and an unclaimed upload leave nothing behind', async () => {
    const uploads = freshDir('uploads');
    await withLocalCluster({ workers: 2, master: { uploadDir: uploads, maxUploadBytes: 1 << 20, uploadUnclaimedSeconds: 1 } }, async (lc) => {
      const addr = lc.master.address;
      const { A, b, x } = problem(300, 6, 3);
      const up = await uploadArrays(addr, [arrayFromValues('A', [300, 6], A), arrayFromValues('b', [300], b)]);
      expect(up).toMatchObject({ names: ['A', 'b'], bytes: 8 * (1800 + 300) });
      const out = await submitJob(addr, LS, { uploadId: up.uploadId });
      const got = out.tensors['x.npy']!.values;
      for (let j = 0; j < 6; j++) expect(got[j]).toBeCloseTo(x[j]!, 8);
      // The job owned its upload and deleted it when it ended.
      expect(readdirSync(uploads)).toEqual([]);
      // An upload id is good for one job.
      await expect(submitJob(addr, LS, { uploadId: up.uploadId })).rejects.toThrow(/upload '[0-9a-f]+' is not held by this master/);

      // Over the per-job limit (1 MiB here): RESOURCE_EXHAUSTED before a byte is stored.
      const big = new Float64Array(200_000);
      const refused = uploadArrays(addr, [arrayFromValues('A', [200_000], big)]);
      await expect(refused).rejects.toBeInstanceOf(ResourceError);
      await expect(refused).rejects.toThrow(/^upload of 1600000 bytes \(2 MB\) refused: more than this master's per-job limit of 1048576 bytes \(1 MB; coda master --max-upload-bytes\)$/);
      expect(readdirSync(uploads)).toEqual([]);

      // A job refused on its uploaded data (the shapes do not fit): the message names the arrays as the job did, the upload is gone.
      const bad = await uploadArrays(addr, [arrayFromValues('A', [300, 6], A), arrayFromValues('b', [299], b.subarray(0, 299))]);
      const badJob = submitJob(addr, LS, { uploadId: bad.uploadId });
      await expect(badJob).rejects.toBeInstanceOf(ShapeError);
      await expect(badJob).rejects.toThrow(/^data: A has 300 rows but b has 299 values$/);
      expect(readdirSync(uploads)).toEqual([]);
      // A job naming an array its upload does not hold.
      const one = await uploadArrays(addr, [arrayFromValues('A', [300, 6], A)]);
      await expect(submitJob(addr, LS, { uploadId: one.uploadId })).rejects.toThrow(/data.b: no array named 'b' was uploaded with the job/);
      await expect(submitJob(addr, LS)).rejects.toThrow(InputError);

      // Cancelled midway (the sender's abort): the master deletes what arrived.
      const abort = new AbortController();
      const slow = {
        name: 'A',
        shape: [100_000],
        async *chunks(): AsyncGenerator<Uint8Array> {
          yield new Uint8Array(400_000);
          await pollFor(() => readdirSync(uploads).length > 0, 10_000, 'the upload folder');
          abort.abort();
          await new Promise((r) => setTimeout(r, 100));
          yield new Uint8Array(400_000);
        },
      };
      await expect(uploadArrays(addr, [slow], { signal: abort.signal })).rejects.toThrow();
      await pollFor(() => readdirSync(uploads).length === 0, 10_000, 'the cancelled upload to be deleted');

      // Finished but never claimed: deleted after uploadUnclaimedSeconds.
      await uploadArrays(addr, [arrayFromValues('A', [2], Float64Array.from([1, 2]))]);
      expect(readdirSync(uploads)).toHaveLength(1);
      await pollFor(() => readdirSync(uploads).length === 0, 10_000, 'the unclaimed upload to be deleted');
    });
  });

  it('coda run --master --upload sends local files the master cannot see (without it, the paths are on the master: not found under its data root)', async () => {
    const here = freshDir('client');
    const { A, b, x } = problem(200, 5, 9);
    writeFileSync(join(here, 'A.npy'), formatNpy([200, 5], A));
    writeFileSync(join(here, 'b.npy'), formatNpy([200], b));
    writeFileSync(join(here, 'job.yaml'), 'job: least-squares\ndata: { A: A.npy, b: b.npy }   # local files\nworkers: 2\nstop: { tol: 1.0e-12, maxRounds: 3000 }\nout: out\n');
    const masterRoot = freshDir('master-root');
    await withLocalCluster({ workers: 2, master: { dataDir: masterRoot } }, async (lc) => {
      const run = (args: string[]): Promise<{ status: number | null; stderr: string }> =>
        new Promise((resolve) => {
          // Async: the master answering the CLI lives in this process's event loop.
          const child = spawn(process.execPath, [coda, 'run', 'job.yaml', '--master', lc.master.address, ...args], { cwd: here, stdio: ['ignore', 'pipe', 'pipe'] });
          let stderr = '';
          child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
          child.on('exit', (status) => resolve({ status, stderr }));
        });
      const refused = await run([]);
      expect(refused.status).toBe(2);
      // Relative paths are the master's without --upload: there is no A.npy under its data root.
      expect(refused.stderr).toMatch(/submitted job: data.A: file not found: A.npy/);
      const sent = await run(['--upload']);
      expect(sent.stderr).toMatch(/uploaded A, b \(0.0 MB\)/);
      expect(sent.status).toBe(0);
      const got = readNpy(join(here, 'out/x.npy')).data;
      for (let j = 0; j < 5; j++) expect(got[j]).toBeCloseTo(x[j]!, 8);
    });
    // --upload without --master is refused before anything starts.
    const alone = spawnSync(process.execPath, [coda, 'run', 'job.yaml', '--upload'], { cwd: here, encoding: 'utf8' });
    expect(alone.status).toBe(2);
    expect(alone.stderr).toMatch(/--upload sends the data to a master: give --master HOST:PORT/);
    expect(existsSync(join(here, 'out/result.json'))).toBe(true);
  });

  it('with --state, a job on uploaded arrays survives kill -9 of its master: the restarted master resumes it from the kept upload, which goes when the job ends', async () => {
    const dir = freshDir('state-run');
    const state = join(dir, 'state');
    const here = freshDir('state-client');
    const { A, b, x } = problem(1200, 10, 5);
    writeFileSync(join(here, 'A.npy'), formatNpy([1200, 10], A));
    writeFileSync(join(here, 'b.npy'), formatNpy([1200], b));
    writeFileSync(join(here, 'job.yaml'), 'job: least-squares\ndata: { A: A.npy, b: b.npy }\nworkers: 2\nchaos: { delay: { dist: constant, value: 0.01 } }\nstop: { tol: 1.0e-12, maxRounds: 400, timeLimit: 120 }\nstep: inverse-lipschitz\nout: out\n');
    const port = await freePort();
    const masterArgs = ['master', '--host=127.0.0.1', `--port=${port}`, '--metrics-port=0', `--state=${state}`, '--checkpoint-every=0.2'];
    let master = processes.start(masterArgs, dir);
    await pollFor(() => /master listening/.test(master.output()), 20_000, 'the master');
    const workers = [0, 1].map(() => processes.start(['worker', `--master=127.0.0.1:${port}`, '--host=127.0.0.1', '--port=0']));
    await pollFor(() => workers.every((w) => /worker \d+ listening/.test(w.output())), 30_000, 'two workers');
    const submit = processes.start(['run', 'job.yaml', `--master=127.0.0.1:${port}`, '--upload', '--wait=60'], here);
    const checkpointed = (): boolean => existsSync(join(state, 'jobs')) && readdirSync(join(state, 'jobs')).some((id) => existsSync(join(state, 'jobs', id, 'checkpoint.bin')));
    await pollFor(checkpointed, 60_000, 'a checkpoint of the running job');
    master.child.kill('SIGKILL');
    await master.exit;
    expect(readdirSync(join(state, 'uploads'))).toHaveLength(1);
    master = processes.start(masterArgs, dir);
    const ended = await Promise.race([submit.exit, new Promise<undefined>((r) => setTimeout(r, 120_000, undefined))]);
    expect(ended?.code, `${submit.output().slice(-2000)}\n--- master ---\n${master.output().slice(-2000)}`).toBe(0);
    expect(master.output()).toMatch(/resuming a job accepted by a previous master/);
    const got = readNpy(join(here, 'out/x.npy')).data;
    for (let j = 0; j < 10; j++) expect(got[j]).toBeCloseTo(x[j]!, 8);
    await pollFor(() => readdirSync(join(state, 'uploads')).length === 0, 10_000, 'the finished job\'s upload to be deleted');
  });
});
