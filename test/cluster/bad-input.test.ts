import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitJob } from '../../client';
import { startMaster, type RunningMaster } from '../../master';
import { InputError } from '../../shared/errors';
import { formatNpy } from '../../shared/tensor';

/**
 * The bad-input catalogue (issue 15): every row is an input a new user or an attacker might give,
 * run through the real CLI. Each must end in its documented exit code and one line naming the
 * problem (no stack trace), leave no file and no process behind, and fail fast: long before a
 * run that starts workers would even have its cluster up.
 */
const root = join(__dirname, '../..');
const coda = join(root, 'bin/coda.js');
const tmp = mkdtempSync(join(tmpdir(), 'coda-bad-'));
const data = join(tmp, 'data');
const outside = join(tmp, 'outside');
let busy: Server;
let busyPort = 0;
let master: RunningMaster;

function npy(path: string, shape: number[]): string {
  writeFileSync(path, formatNpy(shape, Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => ((i * 7) % 11) - 5)));
  return path;
}

/** Processes that carry this run's mark in their environment (workers inherit the CLI's). */
function marked(mark: string): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes(`CODA_TEST_MARK=${mark}`)) pids.push(Number(pid));
    } catch {
      // gone, or not ours
    }
  }
  return pids;
}

interface Outcome {
  status: number | null;
  stderr: string;
  stdout: string;
  ms: number;
  left: number[];
}

/** Runs the CLI without blocking this process (the master some rows submit to lives here). */
async function coda_(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  const mark = randomUUID();
  const { CODA_TOKEN: _t, ...base } = process.env;
  const t0 = performance.now();
  const child = spawn(process.execPath, [coda, ...args], { cwd: tmp, env: { ...base, CODA_TEST_MARK: mark, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const status = await new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  clearTimeout(timer);
  return { status, stderr, stdout, ms: performance.now() - t0, left: marked(mark) };
}

const LS = (extra: string, out = 'out/x'): string =>
  `job: least-squares\ndata: { synthetic: { kind: gaussian, rows: 400, cols: 10, seed: 2 } }\nworkers: 3\nstop: { tol: 1e-8, maxRounds: 200, timeLimit: 30 }\nout: ${out}\n${extra}`;

/** "Billion laughs": 9⁵ strings from five lines of aliases. */
const BOMB = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...'bcde'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcd'[i]}`).join(',')}]`), 'job: least-squares', ''].join('\n');

function job(name: string, text: string): string {
  writeFileSync(join(tmp, name), text);
  return name;
}

interface Row {
  what: string;
  args: () => string[];
  exit: number;
  says: RegExp;
  /** Paths (relative to the test folder) that must not exist afterwards. */
  absent?: string[];
  skip?: boolean;
}

const ROWS: Row[] = [
  { what: 'a job file that is not YAML', args: () => ['run', job('yaml.yaml', 'job: [least-squares\n')], exit: 2, says: /not valid YAML/ },
  { what: 'a YAML alias bomb', args: () => ['run', job('bomb.yaml', BOMB)], exit: 2, says: /bomb.yaml: refused: its YAML aliases expand to more than 100 nodes/ },
  { what: 'a YAML alias bomb as an experiment', args: () => ['experiment', job('xbomb.yaml', BOMB), '--out', 'out/xbomb'], exit: 2, says: /xbomb.yaml: refused: its YAML aliases expand/, absent: ['out/xbomb'] },
  { what: 'an unknown key', args: () => ['run', job('key.yaml', LS('colour: blue\n', 'out/key'))], exit: 2, says: /unknown key 'colour'/, absent: ['out/key'] },
  { what: 'a data file that does not exist', args: () => ['run', job('missing.yaml', LS('', 'out/missing').replace(/data: .*\n/, 'data: { A: nowhere/A.npy, b: nowhere/b.npy }\n'))], exit: 2, says: /data.A: file not found/, absent: ['out/missing'] },
  // Non-regular files (issue 26): opening a FIFO for reading blocks until a writer comes, /dev/zero never ends.
  { what: 'a data file that is a FIFO', args: () => ['run', job('fifo.yaml', LS('', 'out/fifo').replace(/data: .*\n/, 'data: { A: pipe.npy, b: b29.npy }\n'))], exit: 2, says: /fifo.yaml: data.A: .*pipe.npy is a FIFO \(named pipe\), not a regular file/, absent: ['out/fifo'] },
  { what: 'a data file that is /dev/zero', args: () => ['run', job('zero.yaml', LS('', 'out/zero').replace(/data: .*\n/, 'data: { A: A30.npy, b: /dev/zero }\n'))], exit: 2, says: /zero.yaml: data.b: \/dev\/zero is a character device, not a regular file/, absent: ['out/zero'] },
  { what: 'a job file that is a FIFO', args: () => ['run', 'pipe.npy'], exit: 2, says: /job file .*pipe.npy is a FIFO \(named pipe\), not a regular file/ },
  { what: 'coda invert --input a FIFO', args: () => ['invert', '--input', 'pipe.npy', '--out', 'inv-fifo/Ainv.npy', '--workers', '2'], exit: 2, says: /pipe.npy is a FIFO \(named pipe\), not a regular file/, absent: ['inv-fifo'] },
  { what: 'an experiment file that is a FIFO', args: () => ['experiment', 'pipe.npy', '--out', 'out/exp-fifo'], exit: 2, says: /experiment file .*pipe.npy is a FIFO/, absent: ['out/exp-fifo'] },
  {
    what: 'b one value short of A (from the .npy headers)',
    args: () => ['run', job('shape.yaml', LS('', 'out/shape').replace(/data: .*\n/, `data: { A: A30.npy, b: b29.npy }\n`))],
    exit: 2,
    says: /A has 30 rows but b has 29 values/,
    absent: ['out/shape'],
  },
  { what: 'a scheme parameter the workers cannot meet', args: () => ['run', job('frc.yaml', LS('scheme: { name: frc, stragglers: 3 }\n', 'out/frc'))], exit: 2, says: /stragglers = 3 needs more than 3 workers/, absent: ['out/frc'] },
  { what: 'an unknown scheme', args: () => ['run', job('scheme.yaml', LS('scheme: { name: raid5 }\n', 'out/scheme'))], exit: 2, says: /unknown scheme 'raid5'/, absent: ['out/scheme'] },
  { what: 'a bad scheme value', args: () => ['run', job('q.yaml', LS('scheme: { name: speculative, quantile: 2 }\n', 'out/q'))], exit: 2, says: /scheme speculative: quantile must be a number in \(0, 1\], got 2/, absent: ['out/q'] },
  {
    what: 'chaos.workers naming a worker the job does not have',
    args: () => ['run', job('chaosw.yaml', LS("chaos: { delay: { dist: constant, value: 0.01 }, workers: [99] }\n", 'out/chaosw').replace('workers: 3', 'workers: 2'))],
    exit: 2,
    says: /chaos\.workers: worker 99 does not exist \(the job has 2: 0\.\.1\)/,
    absent: ['out/chaosw'],
  },
  {
    what: 'chaos.workers out of range, submitted to a master',
    args: () => ['run', job('chaoswm.yaml', LS("chaos: { delay: { dist: constant, value: 0.01 }, workers: [99] }\n", 'out/chaoswm').replace('workers: 3', 'workers: 2')), '--master', master.address],
    exit: 2,
    says: /chaos\.workers: worker 99 does not exist \(the job has 2: 0\.\.1\)/,
    absent: ['out/chaoswm'],
  },
  { what: 'workers: 10000 on a local cluster', args: () => ['run', job('many.yaml', LS('', 'out/many').replace('workers: 3', 'workers: 10000'))], exit: 2, says: /10000 is more than a local cluster here may start/, absent: ['out/many'] },
  { what: 'rows: 1e9', args: () => ['run', job('huge.yaml', LS('', 'out/huge').replace('rows: 400', 'rows: 1000000000'))], exit: 2, says: /A 1000000000×10 needs about .* of memory/, absent: ['out/huge'] },
  {
    what: 'stop.tol where it would mean something else',
    args: () => ['run', job('lr.yaml', 'job: logistic-regression\ndata: { synthetic: { rows: 100, cols: 5 } }\nstop: { tol: 1e-8 }\nout: out/lr\n')],
    exit: 2,
    says: /use stop.gradNorm/,
    absent: ['out/lr'],
  },
  { what: '--out under a file', args: () => ['run', job('ok1.yaml', LS('')), '--out', 'afile/out'], exit: 2, says: /afile is a file, not a folder/ },
  { what: '--out under /proc', args: () => ['run', job('ok2.yaml', LS('')), '--out', '/proc/coda-out'], exit: 2, says: /kernel filesystem/ },
  { what: '--out not writable', args: () => ['run', job('ok3.yaml', LS('')), '--out', 'readonly/out'], exit: 2, says: /readonly\/out: cannot create it \(EACCES\)|not writable/, skip: process.getuid?.() === 0 },
  { what: 'result.json a folder', args: () => ['run', job('ok4.yaml', LS('')), '--out', 'taken'], exit: 2, says: /result.json there is a folder/ },
  { what: 'a --port in use', args: () => ['master', '--host', '127.0.0.1', '--port', String(busyPort), '--metrics-port', '0'], exit: 2, says: /--port \d+: 127\.0\.0\.1:\d+ is in use by another process; pick another --port/ },
  { what: 'a --metrics-port in use', args: () => ['master', '--host', '127.0.0.1', '--port', '0', '--metrics-port', String(busyPort)], exit: 2, says: /--metrics-port \d+: .* in use .* pick another --metrics-port/ },
  { what: 'a master on every interface with no token', args: () => ['master', '--host', '0.0.0.0', '--port', '0', '--metrics-port', '0'], exit: 2, says: /--host 0\.0\.0\.0 .* token .* --insecure/ },
  { what: 'coda up --workers 10000', args: () => ['up', '--workers', '10000', '--port', '0', '--metrics-port', '0'], exit: 2, says: /--workers: 10000 is more than a local cluster here may start/ },
  { what: 'coda predict with --labels of the wrong length', args: () => ['predict', '--model', 'model/model.json', '--input', 'model/X.npy', '--labels', 'model/y3.npy', '--out', 'pred/pred.npy'], exit: 2, says: /--labels has 3 values for the 4 points of --input/, absent: ['pred'] },
  { what: 'coda predict with a model.json holding null', args: () => ['predict', '--model', 'nullmodel.json', '--input', 'model/X.npy'], exit: 2, says: /nullmodel.json: .*not a kernel-regression model.json|nullmodel.json: \(top level\): Expected object, received null/ },
  {
    what: 'coda invert of a singular A (a column a multiple of another)',
    args: () => ['invert', '--input', 'model/singular.npy', '--out', 'inv2/Ainv.npy', '--workers', '2'],
    exit: 2,
    says: /inverse: A \(6×6\) is singular: its numerical rank is 5 of 6; column 3 lies in the span of the others/,
    absent: ['inv2'],
  },
  { what: 'coda invert tolerating as many stragglers as workers', args: () => ['invert', '--input', 'model/sq.npy', '--out', 'inv/Ainv.npy', '--workers', '4', '--stragglers', '4'], exit: 2, says: /stragglers = 4 needs more than 4 workers/, absent: ['inv'] },
  {
    what: 'an experiment whose matrix makes a job that cannot run',
    args: () => [
      'experiment',
      job('exp.yaml', 'name: bad\nbase: { job: least-squares, data: { synthetic: { kind: gaussian, rows: 100, cols: 4 } } }\nmatrix: { schemes: [{ name: replication, r: 5 }], workers: [2] }\n'),
      '--out',
      'out/exp',
    ],
    exit: 2,
    says: /r = 5 copies need at least 5 workers/,
    absent: ['out/exp'],
  },
  // An address that can never parse is bad input at once (a worker used to retry it for ever); one that parses but does not answer may be waited for.
  { what: 'coda worker --master that is no address', args: () => ['worker', '--master', 'nohost:notaport'], exit: 2, says: /--master "nohost:notaport": not a host:port address \(port 'notaport' is not a number in 1\.\.65535\)/ },
  { what: 'coda worker --advertise that is no address', args: () => ['worker', '--master', '127.0.0.1:1', '--advertise', 'a b:7070'], exit: 2, says: /--advertise "a b:7070": not a host:port address/ },
  { what: 'coda run --master that is no address', args: () => ['run', job('remote1.yaml', LS('', 'out/remote1')), '--master', 'nohost:notaport'], exit: 2, says: /--master "nohost:notaport": not a host:port address/, absent: ['out/remote1'] },
  { what: "a job file's master: that is no address", args: () => ['run', job('remote2.yaml', LS('master: "[master]:7070"\n', 'out/remote2'))], exit: 2, says: /remote2.yaml: master "\[master\]:7070": not a host:port address \(\[master\] is not an IPv6 address\)/, absent: ['out/remote2'] },
  { what: 'a master that is not there', args: () => ['run', job('remote0.yaml', LS('', 'out/remote0')), '--master', '127.0.0.1:1'], exit: 3, says: /master 127\.0\.0\.1:1: /, absent: ['out/remote0'] },
  {
    what: 'a submitted job naming a file outside the master’s --data-dir',
    args: () => ['run', job('escape.yaml', LS('', 'out/escape').replace(/data: .*\n/, 'data: { A: ../outside/A.npy, b: ../outside/b.npy }\n')), '--master', master.address],
    exit: 2,
    says: /data.A: .*outside\/A.npy is outside the master's data folder/,
    absent: ['out/escape'],
  },
  {
    // The link's target is a FIFO: reading it would block forever, so an answer proves it was not read.
    what: 'a submitted job naming a link out of the --data-dir (to a FIFO)',
    args: () => ['run', job('link.yaml', LS('', 'out/link').replace(/data: .*\n/, 'data: { A: link.npy, b: b.npy }\n')), '--master', master.address],
    exit: 2,
    says: /data.A: .*link.npy leads \(through a link\) outside the master's data folder/,
    absent: ['out/link'],
  },
  {
    what: 'a submitted job naming a FIFO inside the --data-dir',
    args: () => ['run', job('dfifo.yaml', LS('', 'out/dfifo').replace(/data: .*\n/, 'data: { A: pipe.npy, b: b.npy }\n')), '--master', master.address],
    exit: 2,
    says: /data.A: .*pipe.npy is a FIFO \(named pipe\), not a regular file/,
    absent: ['out/dfifo'],
  },
];

describe('the bad-input catalogue: one line, its exit code, nothing left, fast', () => {
  let baselineMs = 0;
  const timings: [string, number][] = [];

  beforeAll(async () => {
    npy(join(tmp, 'A30.npy'), [30, 4]);
    npy(join(tmp, 'b29.npy'), [29]);
    mkdirSync(data);
    mkdirSync(outside);
    npy(join(outside, 'A.npy'), [30, 4]);
    npy(join(outside, 'b.npy'), [30]);
    npy(join(data, 'b.npy'), [30]);
    spawnSync('mkfifo', [join(outside, 'fifo.npy'), join(tmp, 'pipe.npy'), join(data, 'pipe.npy')]);
    symlinkSync(join(outside, 'fifo.npy'), join(data, 'link.npy'));
    writeFileSync(join(tmp, 'afile'), 'not a folder');
    mkdirSync(join(tmp, 'readonly'));
    chmodSync(join(tmp, 'readonly'), 0o555);
    mkdirSync(join(tmp, 'taken', 'result.json'), { recursive: true });
    mkdirSync(join(tmp, 'model'));
    npy(join(tmp, 'model', 'centers.npy'), [5, 3]);
    npy(join(tmp, 'model', 'alpha.npy'), [5]);
    npy(join(tmp, 'model', 'X.npy'), [4, 3]);
    npy(join(tmp, 'model', 'y3.npy'), [3]);
    npy(join(tmp, 'model', 'sq.npy'), [4, 4]);
    // Column 3 = 0.01·column 0: pivoting takes it last, so it is the one named.
    const S = Float64Array.from({ length: 36 }, (_, i) => Math.sin(1 + i * i));
    for (let r = 0; r < 6; r++) S[r * 6 + 3] = 0.01 * S[r * 6]!;
    writeFileSync(join(tmp, 'model', 'singular.npy'), formatNpy([6, 6], S));
    writeFileSync(join(tmp, 'model', 'model.json'), JSON.stringify({ kind: 'kernel-regression', kernel: { name: 'gaussian', bandwidth: 1 }, centers: 'centers.npy', alpha: 'alpha.npy', n: 5, d: 3, binary: false }));
    writeFileSync(join(tmp, 'nullmodel.json'), 'null');
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    busyPort = (busy.address() as { port: number }).port;
    master = await startMaster({ host: '127.0.0.1', port: 0, dataDir: data });
    // What a run that starts workers takes here, now: the budget the refusals are measured against.
    const ok = await coda_(['run', job('baseline.yaml', LS('', 'out/baseline').replace('workers: 3', 'workers: 2'))]);
    expect(ok.status, ok.stderr).toBe(0);
    baselineMs = ok.ms;
  });

  afterAll(async () => {
    busy?.close();
    await master?.stop();
    chmodSync(join(tmp, 'readonly'), 0o755);
    rmSync(tmp, { recursive: true, force: true });
    console.log(`fail-fast times (baseline run with 2 workers: ${baselineMs.toFixed(0)} ms):\n${timings.map(([w, ms]) => `  ${ms.toFixed(0).padStart(6)} ms  ${w}`).join('\n')}`);
  });

  // What a client other than the CLI (the Python package, a script) may send without checking it:
  // the master refuses it at submission, as bad input, naming the key.
  it.each([
    ['an alias bomb', BOMB, /job: refused: its YAML aliases expand to more than 100 nodes/],
    ['chaos.workers out of range', LS("chaos: { delay: { dist: constant, value: 0.01 }, workers: [99] }\n", 'out/raw').replace('workers: 3', 'workers: 2'), /chaos\.workers: worker 99 does not exist \(the job has 2: 0\.\.1\)/],
    ['a FIFO in its --data-dir', LS('', 'out/raw').replace(/data: .*\n/, 'data: { A: pipe.npy, b: b.npy }\n'), /data\.A: .*pipe\.npy is a FIFO \(named pipe\), not a regular file/],
  ])('the master refuses %s at submission (exit 2)', async (_what, yaml, says) => {
    const err = await submitJob(master.address, yaml).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(says);
  });

  for (const row of ROWS) {
    it.skipIf(row.skip)(`${row.what}: exit ${row.exit}`, async () => {
      const before = readdirSync(tmp).sort();
      const r = await coda_(row.args());
      timings.push([row.what, r.ms]);
      expect(r.status, r.stderr).toBe(row.exit);
      const lines = r.stderr.trim().split('\n');
      expect(lines, 'one line on stderr').toHaveLength(1);
      expect(lines[0]).toMatch(/^coda: /);
      expect(r.stderr).toMatch(row.says);
      expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
      expect(r.left, 'processes left behind').toEqual([]);
      for (const p of row.absent ?? []) expect(existsSync(join(tmp, p)), `${p} left behind`).toBe(false);
      // Nothing new beside the job files this row wrote.
      const added = readdirSync(tmp).filter((f) => !before.includes(f) && !f.endsWith('.yaml'));
      expect(added, 'files left behind').toEqual([]);
      // Fail fast: refused before any worker starts. Measured against a run that starts workers
      // on this machine now (no fixed wall-clock bound: the machine may be loaded).
      expect(r.ms, `${row.what}: ${r.ms.toFixed(0)} ms against a ${baselineMs.toFixed(0)} ms run`).toBeLessThan(Math.max(2000, baselineMs));
    });
  }
});
