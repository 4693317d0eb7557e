import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NATIVE_INSTALL } from '../../shared/kernels';
import { readNpy } from '../../shared/tensor';
import { expectClose } from '../helpers/expect-close';
import { nativeKernelsOrSkip } from '../helpers/native-kernels';

/**
 * Whole jobs through the CLI on local clusters, once with CODA_KERNELS=js and once with the
 * native backend: the answers agree to the jobs' own tolerances. And the CLI's side of the
 * backend: `coda info`, the one warning line when the addon does not load.
 */
const native = nativeKernelsOrSkip('cluster kernels');
const root = join(__dirname, '../..');
const coda = join(root, 'bin/coda.js');
const tmp = mkdtempSync(join(tmpdir(), 'coda-kernels-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [coda, ...args], { cwd: tmp, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
}

interface JobCase {
  name: string;
  yaml: (out: string) => string;
  file: string;
  tol: { rtol: number; atol: number };
}

const JOBS: JobCase[] = [
  {
    name: 'least squares (lsGradient on the workers)',
    yaml: (out) => `job: least-squares
data: { synthetic: { kind: gaussian, rows: 600, cols: 20, seed: 2 } }
scheme: { name: wait-all }
workers: 3
stop: { tol: 1e-10, maxRounds: 3000, timeLimit: 60 }
out: ${out}
`,
    file: 'x.npy',
    tol: { rtol: 1e-7, atol: 1e-9 },
  },
  {
    name: 'logistic regression, GIANT (logistic gradient and local Newton steps: Gram + Cholesky)',
    yaml: (out) => `job: logistic-regression
data: { synthetic: { rows: 2000, cols: 15, seed: 3, signal: 3, correlation: 0.5 } }
solver: giant
lambda: 1.0e-3
scheme: { name: wait-all }
workers: 3
stop: { gradNorm: 1.0e-9, maxRounds: 60, timeLimit: 60 }
out: ${out}
`,
    file: 'w.npy',
    tol: { rtol: 1e-6, atol: 1e-8 },
  },
  {
    name: 'inverse over frc (the block column solver)',
    yaml: (out) => `job: inverse
data: { synthetic: { kind: gaussian, rows: 48, cols: 48, seed: 3 } }
scheme: { name: frc, stragglers: 1 }
workers: 4
tol: 1.0e-10
out: ${out}
`,
    file: 'inverse.npy',
    tol: { rtol: 1e-6, atol: 1e-9 },
  },
  {
    name: 'kernel regression, synchronous EigenPro (kernel blocks)',
    yaml: (out) => `job: kernel-regression
solver: eigenpro-sync
data: { synthetic: { kind: regression, rows: 1500, cols: 5, noise: 0.1, seed: 1 } }
kernel: { name: gaussian, bandwidth: 2 }
eigenpro: { nystrom: 100, q: 10, batch: 32, epochs: 1, evalPoints: 100 }
workers: 2
seed: 4
out: ${out}
`,
    file: 'alpha.npy',
    tol: { rtol: 1e-6, atol: 1e-9 },
  },
];

describe.skipIf(!native)('a job gives the same answer with CODA_KERNELS=js and with the native kernels', () => {
  for (const job of JOBS) {
    it(job.name, () => {
      const answers = (['js', 'native'] as const).map((backend) => {
        const out = `out/${job.file.replace('.npy', '')}-${backend}`;
        const f = join(tmp, `${backend}-${job.file}.yaml`);
        writeFileSync(f, job.yaml(out));
        const r = run(['run', f], { CODA_KERNELS: backend });
        expect(r.status, `${backend}: ${r.stderr}`).toBe(0);
        expect(r.stderr).not.toMatch(/native kernels unavailable/);
        // Only least squares streams a history; no kind leaves a partial file behind.
        expect(readdirSync(join(tmp, out)).filter((f) => f.endsWith('.partial'))).toEqual([]);
        return readNpy(join(tmp, out, job.file));
      });
      expect(answers[1]!.shape).toEqual(answers[0]!.shape);
      expectClose(answers[1]!.data, answers[0]!.data, job.tol);
      // Evidence that the workers did run different backends: BLAS rounds differently somewhere.
      expect(Array.from(answers[1]!.data)).not.toEqual(Array.from(answers[0]!.data));
    });
  }
});

describe('the CLI and the kernel backend', () => {
  it('coda info names the backend, the BLAS library and its threads', () => {
    const r = run(['info', '--json', '--local-worker']);
    expect(r.status, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout) as { backend: string; blas: { library: string; threads: number; config: string } | null };
    if (!native) return;
    expect(info.backend).toBe('native');
    expect(info.blas!.config).toMatch(/OpenBLAS/);
    expect(info.blas!.threads).toBe(1);
    const text = run(['info', '--threads', '2']);
    expect(text.stdout).toMatch(/kernels:\s+native/);
    expect(text.stdout).toMatch(/threads:\s+2/);
    expect(run(['info'], { CODA_KERNELS: 'js' }).stdout).toMatch(/kernels:\s+js/);
  });

  it('an addon that does not load: one warning line naming the install command, the JS kernels, exit 0; asked for explicitly: exit 2', () => {
    const bad = join(tmp, 'other-node.node');
    writeFileSync(bad, 'not a shared object\n');
    const r = run(['info'], { CODA_NATIVE_ADDON: bad, CODA_KERNELS: '' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/kernels:\s+js/);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(NATIVE_INSTALL);
    const strict = run(['info'], { CODA_NATIVE_ADDON: bad, CODA_KERNELS: 'native' });
    expect(strict.status).toBe(2);
    expect(strict.stderr).toMatch(/native kernels were asked for/);
  });
});
