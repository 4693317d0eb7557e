import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LeastSquaresResult } from '../../master/jobs';
import { pollFor } from '../helpers/cluster-fixture';

const root = join(__dirname, '../..');
const coda = join(root, 'bin/coda.js');
const tmp = mkdtempSync(join(tmpdir(), 'coda-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return spawnSync(process.execPath, [coda, ...args], { cwd: opts.cwd ?? tmp, encoding: 'utf8', env: { ...process.env, ...opts.env }, timeout: 120_000 });
}

const JOB = (out: string, extra = ''): string => `job: least-squares
data: { synthetic: { kind: gaussian, rows: 400, cols: 10, seed: 2 } }
scheme: { name: wait-all }
workers: 3
chaos: { delay: { dist: lambda-tail, base: 0.002 }, seed: 7 }
stop: { tol: 1e-10, maxRounds: 2000, timeLimit: 60 }
out: ${out}
${extra}`;

/** history.jsonl holds every round, one line each; result.json's history is the same rounds (no thinning under 2000). */
function expectStreamedHistory(dir: string, result: LeastSquaresResult): void {
  const lines = readFileSync(join(dir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { round: number; relGradient: number });
  expect(lines).toHaveLength(result.rounds);
  expect(result.historySummary).toMatchObject({ rounds: result.rounds, every: 1, file: 'history.jsonl' });
  expect(lines.map((l) => l.round)).toEqual(result.history.map((h) => h.round));
  expect(lines.at(-1)!.relGradient).toBe(result.relGradient);
  // No partial file left behind.
  expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
}

describe('the coda command', () => {
  it('--help works on every command and subcommand the program has', () => {
    const { buildProgram } = require(join(root, 'dist/cli/main')) as typeof import('../../cli/main');
    type Cmd = ReturnType<typeof buildProgram>;
    const paths: string[][] = [];
    const walk = (c: Cmd, path: string[]): void => {
      paths.push(path);
      for (const sub of c.commands as Cmd[]) walk(sub, [...path, sub.name()]);
    };
    walk(buildProgram(), []);
    // Every top-level command of the table in docs/cli.md, at least.
    for (const name of ['demo', 'run', 'up', 'master', 'worker', 'invert', 'experiment', 'report', 'predict', 'chaos']) expect(paths).toContainEqual([name]);
    // In one process: the program's own help output, each command's usage line and exit code 0.
    const script = `
      const { main } = require(${JSON.stringify(join(root, 'dist/cli/main'))});
      (async () => {
        const out = [];
        for (const cmd of ${JSON.stringify(paths)}) {
          let text = '';
          const write = process.stdout.write;
          process.stdout.write = (s) => ((text += s), true);
          const code = await main(['node', 'coda', ...cmd, '--help']);
          process.stdout.write = write;
          out.push({ cmd, code, text });
        }
        process.stdout.write(JSON.stringify(out));
      })();`;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: tmp, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const helps = JSON.parse(r.stdout) as { cmd: string[]; code: number; text: string }[];
    expect(helps).toHaveLength(paths.length);
    for (const h of helps) {
      expect(h.code, `coda ${h.cmd.join(' ')} --help`).toBe(0);
      expect(h.text, `coda ${h.cmd.join(' ')} --help`).toMatch(new RegExp(`Usage: coda${h.cmd.map((c) => ` ${c}`).join('')}`));
    }
    // And the real binary, once.
    const bin = run(['run', '--help']);
    expect(bin.status).toBe(0);
    expect(bin.stdout).toMatch(/Usage: coda run/);
  });

  it('run: writes result.json and x.npy from a job file on an embedded local cluster', () => {
    writeFileSync(join(tmp, 'job.yaml'), JOB('out/ls'));
    const r = run(['run', 'job.yaml']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/least-squares 400×10 on 3 workers/);
    const result = JSON.parse(readFileSync(join(tmp, 'out/ls/result.json'), 'utf8')) as LeastSquaresResult;
    expect(result.relErrorVsDirect).toBeLessThan(1e-6);
    expect(existsSync(join(tmp, 'out/ls/x.npy'))).toBe(true);
    expectStreamedHistory(join(tmp, 'out/ls'), result);
  });

  it('bad job files exit 2 with a message naming the problem, no stack trace, nothing written', () => {
    const cases: [string, RegExp][] = [
      [JOB('out/bad1', 'colour: blue'), /unknown key 'colour'/],
      [JOB('out/bad2').replace('workers: 3', 'workers: three'), /workers: Expected number, received string/],
      [JOB('out/bad3').replace('data: { synthetic: { kind: gaussian, rows: 400, cols: 10, seed: 2 } }', 'data: { A: missing/A.npy, b: missing/b.npy }'), /data.A: file not found: missing\/A.npy/],
      [JOB('out/bad4').replace('wait-all', 'wait-some'), /unknown scheme 'wait-some'/],
    ];
    for (const [text, re] of cases) {
      writeFileSync(join(tmp, 'bad.yaml'), text);
      const r = run(['run', 'bad.yaml']);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(join(tmp, 'out/bad4/result.json'))).toBe(false);
    expect(run(['run', 'nowhere.yaml']).status).toBe(2);
    expect(run(['no-such-command']).status).toBe(2);
  });

  it('data with NaN or mismatched shapes exits 2 naming the file and position', () => {
    const npy = (name: string, shape: number[], values: number[]): void => {
      const { writeNpy } = require(join(root, 'dist/shared/tensor')) as typeof import('../../shared/tensor');
      writeNpy(join(tmp, name), shape, Float64Array.from(values));
    };
    npy('A.npy', [3, 2], [1, 0, 0, 1, 1, NaN]);
    npy('b.npy', [3], [1, 2, 3]);
    npy('A2.npy', [3, 2], [1, 0, 0, 1, 1, 1]);
    npy('b2.npy', [4], [1, 2, 3, 4]);
    writeFileSync(join(tmp, 'nan.yaml'), 'job: least-squares\ndata: { A: A.npy, b: b.npy }\nworkers: 1\nout: out/nan\n');
    let r = run(['run', 'nan.yaml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/A.npy contains NaN at row 2, column 1/);
    writeFileSync(join(tmp, 'shape.yaml'), 'job: least-squares\ndata: { A: A2.npy, b: b2.npy }\nworkers: 1\nout: out/shape\n');
    r = run(['run', 'shape.yaml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/A has 3 rows but b has 4 values/);
  });

  it('a diagnostic that cannot be computed never costs the result: rank-deficient A, repeated kernel points', () => {
    const { writeNpy } = require(join(root, 'dist/shared/tensor')) as typeof import('../../shared/tensor');
    const { Rng } = require(join(root, 'dist/shared/random')) as typeof import('../../shared/random');
    const rng = new Rng(11);
    // 60×20 with column 19 = 0.3·column 0 − 1.7·column 1: rank 19 to working precision.
    const A = Float64Array.from({ length: 60 * 20 }, () => rng.normal());
    for (let i = 0; i < 60; i++) A[i * 20 + 19] = 0.3 * A[i * 20]! - 1.7 * A[i * 20 + 1]!;
    writeNpy(join(tmp, 'Ard.npy'), [60, 20], A);
    writeNpy(join(tmp, 'brd.npy'), [60], Float64Array.from({ length: 60 }, () => rng.normal()));
    writeFileSync(join(tmp, 'rd.yaml'), 'job: least-squares\ndata: { A: Ard.npy, b: brd.npy }\nworkers: 2\nstop: { tol: 1e-8, maxRounds: 3000 }\nout: out/rd\n');
    let r = run(['run', 'rd.yaml']);
    expect(r.status, r.stderr).toBe(0);
    const ls = JSON.parse(readFileSync(join(tmp, 'out/rd/result.json'), 'utf8')) as LeastSquaresResult;
    expect(ls.stoppedBy).toBe('tol');
    expect(ls.relErrorVsDirect).toBeNull();
    expect(ls.optimalRelResidual).toBeNull();
    expect(ls.referenceError).toBe('A (60×20) is rank-deficient (rank 19 of 20): least squares has no unique solution');
    expect(r.stdout).toMatch(/no direct reference \(A \(60×20\) is rank-deficient/);
    expect(existsSync(join(tmp, 'out/rd/x.npy'))).toBe(true);

    // Kernel regression on points with repeats: K is singular, α is still the result.
    const X = Float64Array.from({ length: 120 * 3 }, () => rng.normal());
    for (const [to, from] of [[1, 0], [7, 6], [50, 49]] as const) X.copyWithin(to * 3, from * 3, from * 3 + 3);
    writeNpy(join(tmp, 'Xrep.npy'), [120, 3], X);
    writeNpy(join(tmp, 'yrep.npy'), [120], Float64Array.from({ length: 120 }, (_, i) => Math.sin(X[i * 3]!)));
    writeFileSync(
      join(tmp, 'krep.yaml'),
      'job: kernel-regression\nsolver: eigenpro-sync\ndata: { X: Xrep.npy, y: yrep.npy, Xtest: Xrep.npy, ytest: yrep.npy }\nkernel: { name: gaussian, bandwidth: 2 }\n' +
        'eigenpro: { nystrom: 40, q: 4, batch: 16, epochs: 1, evalPoints: 40 }\nworkers: 2\nout: out/krep\n',
    );
    r = run(['run', 'krep.yaml']);
    expect(r.status, r.stderr).toBe(0);
    const kr = JSON.parse(readFileSync(join(tmp, 'out/krep/result.json'), 'utf8')) as { directReference: unknown; referenceError: string | null };
    expect(kr.directReference).toBeNull();
    expect(kr.referenceError).toMatch(/the kernel matrix K \(120×120\) is singular to working precision \(are some training points repeated\?\)/);
    expect(existsSync(join(tmp, 'out/krep/alpha.npy'))).toBe(true);
  });

  it('up + run --master: a job submitted to a running cluster streams back its result', async () => {
    const up = spawn(process.execPath, [coda, 'up', '--workers', '3', '--port', '0', '--metrics-port', '0'], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let text = '';
      up.stdout.on('data', (d: Buffer) => (text += d.toString()));
      await pollFor(() => /master 127\.0\.0\.1:(\d+)/.test(text), 30_000, 'coda up');
      const address = /master (127\.0\.0\.1:\d+)/.exec(text)![1]!;
      writeFileSync(join(tmp, 'remote.yaml'), JOB('out/remote'));
      const r = spawnSync(process.execPath, [coda, 'run', 'remote.yaml', '--master', address], { cwd: tmp, encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      const result = JSON.parse(readFileSync(join(tmp, 'out/remote/result.json'), 'utf8')) as LeastSquaresResult;
      expect(result.relErrorVsDirect).toBeLessThan(1e-6);
      expect(result.workers).toBe(3);
      // The master streamed every round back as it had written it.
      expectStreamedHistory(join(tmp, 'out/remote'), result);

      // `workers: 2` on a master with 3 live workers runs on 2, and the master says which.
      writeFileSync(join(tmp, 'remote2.yaml'), JOB('out/remote2').replace('workers: 3', 'workers: 2'));
      const two = spawnSync(process.execPath, [coda, 'run', 'remote2.yaml', '--master', address], { cwd: tmp, encoding: 'utf8', timeout: 60_000 });
      expect(two.status, two.stderr).toBe(0);
      expect(two.stderr).toMatch(/using 2 of the 3 live workers \(the job's workers: 2\): 0, 1/);
      expect((JSON.parse(readFileSync(join(tmp, 'out/remote2/result.json'), 'utf8')) as LeastSquaresResult).workers).toBe(2);
      // The master's own summary comes back over the wire.
      expect(r.stdout).toMatch(/least-squares 400×10 on 3 workers, scheme wait-all/);

      // An experiment against the same master: every run goes through SubmitJob.
      writeFileSync(
        join(tmp, 'exp.yaml'),
        [
          'name: remote-check',
          'base:',
          '  job: least-squares',
          '  data: { synthetic: { kind: gaussian, rows: 300, cols: 8, seed: 4 } }',
          '  stop: { tol: 1.0e-8, maxRounds: 500, timeLimit: 30 }',
          'matrix:',
          '  schemes: [wait-all, { name: frc, stragglers: 1 }]',
          '  chaos: { none: {} }',
          '  seeds: [1]',
          '  workers: [3]',
          'targets: [1.0e-6]',
          'baseline: none',
        ].join('\n') + '\n',
      );
      const e = spawnSync(process.execPath, [coda, 'experiment', 'exp.yaml', '--master', address, '--out', 'out/exp'], { cwd: tmp, encoding: 'utf8', timeout: 90_000 });
      expect(e.status, e.stderr).toBe(0);
      const csv = readFileSync(join(tmp, 'out/exp/runs.csv'), 'utf8').trim().split('\n');
      expect(csv).toHaveLength(3); // header + 2 runs
    } finally {
      up.kill('SIGTERM');
      await new Promise((r) => up.once('exit', r));
    }
  });
});
