/**
 * Benchmark (not a test): wall time of `coda invert` for an n×n matrix on 8 local workers,
 * no injected delay vs the lambda-tail heavy-tailed profile, s = 0, 1, 2. Prints a markdown table
 * of medians over the repetitions: the CLI's wall time (cluster start and stop included) and the
 * solve round as the master saw it.
 *
 *   npm run build && node dist/bench/inverse.js [--n 500] [--reps 3] [--base 0.04] [--tol 1e-8] [--shift 2]
 *     [--kernels js,native] [--delays none,lambda-tail] [--stragglers 0,1,2]
 *
 * --kernels js,native times the same runs with the workers on the plain JS loops (CODA_KERNELS=js,
 * before) and on the native kernels (after), alternating per repetition.
 *
 * The delay's base is per column iteration of a worker's share (work in operations: a column
 * solve pays for its iterations; 0.04 s × the 52 CG iterations of n = 500 is the 2 s a whole
 * solve paid under the rows measure).
 *
 * A = G + shift·√n·I with G Gaussian (seeded): well conditioned, so the table measures the
 * straggler scheme rather than CG's iteration count on a Gaussian matrix (κ ~ n).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Rng } from '../shared/random';
import { formatNpy } from '../shared/tensor';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function list(name: string, dflt: string): string[] {
  const i = process.argv.indexOf(`--${name}`);
  return (i > 0 ? process.argv[i + 1]! : dflt).split(',');
}

function main(): void {
  const kernelList = list('kernels', 'native');
  const delayKinds = list('delays', 'none,lambda-tail');
  const sList = list('stragglers', '0,1,2').map(Number);
  const n = arg('n', 500);
  const reps = arg('reps', 3);
  const base = arg('base', 0.04);
  const tol = arg('tol', 1e-8);
  const shift = arg('shift', 2);
  const dir = mkdtempSync(join(tmpdir(), 'coda-bench-inverse-'));
  try {
    const rng = new Rng(500);
    const A = Float64Array.from({ length: n * n }, () => rng.normal());
    for (let i = 0; i < n; i++) A[i * n + i]! += shift * Math.sqrt(n);
    const input = join(dir, 'A.npy');
    writeFileSync(input, formatNpy([n, n], A));
    const bin = join(__dirname, '..', '..', 'bin', 'coda.js');
    const rows: string[] = [];
    rows.push(`| kernels | delay | s | wall s (median) | solve round s (median) | stragglers cut off (median) | CG iterations/column (median) | rel. Frobenius error (max) |`);
    rows.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const delay of delayKinds.map((d) => (d === 'lambda-tail' ? `lambda-tail:${base}` : d))) {
      for (const s of sList) {
        const byKernels = new Map(kernelList.map((k) => [k, { wall: [] as number[], round: [] as number[], cut: [] as number[], its: [] as number[], errs: [] as number[] }]));
        for (let r = 0; r < reps; r++) for (const kernels of kernelList) {
          const { wall, round, cut, its, errs } = byKernels.get(kernels)!;
          const out = join(dir, `Ainv-${s}-${r}.npy`);
          const t0 = performance.now();
          const p = spawnSync(
            process.execPath,
            [bin, 'invert', '--input', input, '--out', out, '--workers', '8', '--stragglers', String(s), '--tol', String(tol), '--delay', delay, '--seed', String(r + 1)],
            { encoding: 'utf8', env: { ...process.env, CODA_KERNELS: kernels } },
          );
          const seconds = (performance.now() - t0) / 1000;
          if (p.status !== 0) throw new Error(`coda invert failed (${p.status}): ${p.stderr}`);
          const rep = JSON.parse(readFileSync(out.replace(/\.npy$/, '.report.json'), 'utf8')) as {
            round: { seconds: number; stragglers: unknown[] };
            iterations: { median: number };
            errors: { relativeFrobeniusNorm: number };
          };
          wall.push(seconds);
          round.push(rep.round.seconds);
          cut.push(rep.round.stragglers.length);
          its.push(rep.iterations.median);
          errs.push(rep.errors.relativeFrobeniusNorm);
          process.stderr.write(`${kernels} delay ${delay} s=${s} rep ${r}: wall ${seconds.toFixed(2)} s, round ${rep.round.seconds.toFixed(2)} s\n`);
        }
        for (const [kernels, { wall, round, cut, its, errs }] of byKernels) {
          rows.push(
            `| ${kernels} | ${delay} | ${s} | ${median(wall).toFixed(2)} | ${median(round).toFixed(2)} | ${median(cut)} | ${median(its)} | ${Math.max(...errs).toExponential(1)} |`,
          );
        }
      }
    }
    process.stdout.write(`coda invert, n = ${n}, 8 workers, ε = ${tol}, ${reps} repetitions, A = G + ${shift}·√n·I\n${rows.join('\n')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
