import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { arrayFromValues, uploadArrays } from '../client';
import { startLocalCluster } from '../launcher';
import { WorkerConnection } from '../master/cluster/worker-client';
import { formatNpy } from '../shared/tensor';
import { median } from './stats';

const ROOT = resolve(__dirname, '../..');
const PYTHON = process.env.CODA_PYTHON ?? '/usr/bin/python3';

/** True when Debian's Python has what the client needs (else the Python rows are skipped, said out loud). */
function pythonReady(): boolean {
  return spawnSync(PYTHON, ['-c', 'import grpc, numpy, google.protobuf'], { stdio: 'ignore' }).status === 0;
}

/** Runs a process to its end; its wall time in seconds and its stdout. */
function timed(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ seconds: number; stdout: string }> {
  return new Promise((res, rej) => {
    const t = performance.now();
    const child = spawn(cmd, args, { cwd, env: { ...process.env, CODA_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => (code === 0 ? res({ seconds: (performance.now() - t) / 1000, stdout }) : rej(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-500)}`))));
  });
}

/** A Python upload of the same matrix, timed inside the process (its start and numpy's array are not counted). */
const PY_UPLOAD = `
import sys, time
sys.path.insert(0, ${JSON.stringify(join(ROOT, 'clients/python'))})
import numpy as np, coda_client as coda
rows, cols = int(sys.argv[2]), int(sys.argv[3])
A = (np.arange(rows * cols, dtype=np.float64) % 997).reshape(rows, cols)
with coda.connect(sys.argv[1]) as c:
    t = time.perf_counter()
    c._upload([("A", A)])
    print(time.perf_counter() - t)
`;

/** The round-trip job from Python: the same arrays and job as the CLI's job file, result in hand. */
const PY_JOB = `
import sys
sys.path.insert(0, ${JSON.stringify(join(ROOT, 'clients/python'))})
import numpy as np, coda_client as coda
A, b = np.load(sys.argv[2]), np.load(sys.argv[3])
with coda.connect(sys.argv[1]) as c:
    r = c.least_squares(A, b, workers=4, chaos={"delay": {"dist": "lambda-tail", "base": 0.005}, "seed": 7}, stop={"tol": 1e-300, "maxRounds": 150, "timeLimit": 120}).result()
    assert r.x.shape == (A.shape[1],)
`;

const JOB_YAML = `job: least-squares
data: { A: A.npy, b: b.npy }
workers: 4
chaos: { delay: { dist: lambda-tail, base: 0.005 }, seed: 7 }
stop: { tol: 1.0e-300, maxRounds: 150, timeLimit: 120 }
out: out-cli
`;

/**
 * `npm run bench -- upload`: (1) a 64 MiB matrix uploaded to the master (UploadArrays: gRPC chunks
 * of 1 MiB, written to the master's upload folder) from TypeScript and from the Python client,
 * against the bulk channel's placement of the same matrix on a worker (what placement uses),
 * interleaved, medians of `repeats`; goal: upload ≥ 0.5 of placement. (2) A Python round trip
 * (process start, upload, job, result as numpy) against the same job from the CLI (`coda run
 * --master --upload`, and with the files already under the master's data root), interleaved;
 * goal: Python adds < 5 % to the CLI's wall time.
 */
export async function benchUpload(mib = 64, repeats = Number(process.env.REPEATS ?? 5)): Promise<Record<string, unknown>> {
  const py = pythonReady();
  if (!py) console.log(`SKIPPED the Python rows: ${PYTHON} lacks grpc/numpy/protobuf (apt-get install -y python3-grpcio python3-protobuf python3-numpy)`);
  const work = mkdtempSync(join(tmpdir(), 'coda-bench-upload-'));
  const lc = await startLocalCluster({ workers: 4, master: { maxUploadBytes: 2 ** 30, dataDir: work, uploadUnclaimedSeconds: 5 } });
  try {
    const addr = lc.master.address;
    const cols = 512;
    const rows = (mib * (1 << 20)) / 8 / cols;
    const data = new Float64Array(rows * cols).map((_, i) => i % 997);
    const w = lc.master.registry.alive()[0]!;
    const conn = new WorkerConnection(w.index, w.address, undefined);
    const bulkS: number[] = [];
    const tsS: number[] = [];
    const pyS: number[] = [];
    for (let i = 0; i < repeats; i++) {
      let t = performance.now();
      const { via } = await conn.placeBlocks(`up-${i}`, [{ id: 0, rows, cols, data, rowOffset: 0 }], 600);
      bulkS.push((performance.now() - t) / 1000);
      if (via !== 'bulk') throw new Error(`placement went through ${via}, not the bulk channel`);
      await conn.dropBlocks(`up-${i}`);
      t = performance.now();
      await uploadArrays(addr, [arrayFromValues('A', [rows, cols], data)]);
      tsS.push((performance.now() - t) / 1000);
      if (py) pyS.push(Number((await timed(PYTHON, ['-c', PY_UPLOAD, addr, String(rows), String(cols)], work)).stdout.trim()));
    }
    conn.close();
    const mb = data.byteLength / 1e6;
    const rate = (s: number[]): { MBps: number; minMBps: number; maxMBps: number; fractionOfBulk: number } => ({ MBps: mb / median(s), minMBps: mb / Math.max(...s), maxMBps: mb / Math.min(...s), fractionOfBulk: median(bulkS) / median(s) });
    const upload = { megabytes: mb, repeats, bulk: rate(bulkS), typescript: rate(tsS), ...(py ? { python: rate(pyS) } : {}) };

    // The round trip: 20000×50 (8 MB), 150 rounds under lambda-tail delays, 4 workers.
    const n = 20000;
    const d = 50;
    const A = new Float64Array(n * d).map((_, i) => Math.sin(i * 0.7) + ((i * 7919) % 13) / 13);
    const b = new Float64Array(n).map((_, i) => Math.cos(i));
    const client = mkdtempSync(join(tmpdir(), 'coda-bench-client-'));
    for (const dir of [client, work]) {
      writeFileSync(join(dir, 'A.npy'), formatNpy([n, d], A));
      writeFileSync(join(dir, 'b.npy'), formatNpy([n], b));
      writeFileSync(join(dir, 'job.yaml'), JOB_YAML);
    }
    const coda = join(ROOT, 'bin/coda.js');
    const cliUp: number[] = [];
    const cliRoot: number[] = [];
    const pyRt: number[] = [];
    for (let i = 0; i < repeats; i++) {
      cliUp.push((await timed(process.execPath, [coda, 'run', 'job.yaml', '--master', addr, '--upload'], client)).seconds);
      // The same files already on the master's side (its data root): no upload at all.
      cliRoot.push((await timed(process.execPath, [coda, 'run', join(work, 'job.yaml'), '--master', addr], client)).seconds);
      if (py) pyRt.push((await timed(PYTHON, ['-c', PY_JOB, addr, join(client, 'A.npy'), join(client, 'b.npy')], client)).seconds);
    }
    rmSync(client, { recursive: true, force: true });
    const roundTrip = {
      job: `least squares ${n}×${d}, 150 rounds, lambda-tail 5 ms, 4 workers`,
      repeats,
      cliUploadSeconds: median(cliUp),
      cliDataRootSeconds: median(cliRoot),
      ...(py ? { pythonSeconds: median(pyRt), pythonOverCliUpload: median(pyRt) / median(cliUp), pythonOverCliDataRoot: median(pyRt) / median(cliRoot) } : {}),
      all: { cliUp, cliRoot, pyRt },
    };
    return { upload, roundTrip };
  } finally {
    await lc.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

export function printUpload(r: Record<string, unknown>): void {
  const u = r.upload as Record<string, unknown>;
  const row = (path: string, x: Record<string, number> | undefined): Record<string, string> | undefined =>
    x && { path, 'MB/s': x.MBps!.toFixed(0), 'min-max': `${x.minMBps!.toFixed(0)}-${x.maxMBps!.toFixed(0)}`, 'fraction of bulk placement': x.fractionOfBulk!.toFixed(2) };
  console.log(`\nUpload: a ${(u.megabytes as number).toFixed(0)} MB matrix (medians of ${u.repeats}, interleaved); goal: upload ≥ 0.5 of bulk placement`);
  console.table(
    [
      row('bulk channel placement on a worker', u.bulk as Record<string, number>),
      row('UploadArrays from TypeScript', u.typescript as Record<string, number>),
      row('UploadArrays from Python (coda_client)', u.python as Record<string, number> | undefined),
    ].filter(Boolean),
  );
  const t = r.roundTrip as Record<string, number | string>;
  console.log(`\nRound trip: ${t.job} (medians of ${t.repeats}, interleaved); goal: Python adds < 5 % to the CLI's wall time`);
  console.table([
    { how: 'coda run --master --upload', seconds: (t.cliUploadSeconds as number).toFixed(2) },
    { how: 'coda run --master (files in the data root)', seconds: (t.cliDataRootSeconds as number).toFixed(2) },
    ...(t.pythonSeconds !== undefined
      ? [{ how: 'Python: connect, least_squares(A, b).result()', seconds: `${(t.pythonSeconds as number).toFixed(2)} (${(t.pythonOverCliUpload as number).toFixed(3)}× CLI --upload, ${(t.pythonOverCliDataRoot as number).toFixed(3)}× CLI data root)` }]
      : []),
  ]);
}
