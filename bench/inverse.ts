/**
 * Benchmark (not a test): wall time of `coda invert` for an n×n matrix on 8 local workers,
 * no injected delay vs the lambda-tail heavy-tailed profile, s = 0, 1, 2. Prints a markdown table
 * of medians over the repetitions: the CLI's wall time (cluster start and stop included) and the
 * solve round as the master saw it.
 *
 *   npm run build && node dist/bench/inverse.js [--n 500] [--reps 3] [--base 2] [--tol 1e-8] [--shift 2]
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

function main(): void {
  const n = arg('n', 500);
  const reps = arg('reps', 3);
  const base = arg('base', 2);
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
    rows.push(`| delay | s | wall s (median) | solve round s (median) | stragglers cut off (median) | CG iterations/column (median) | rel. Frobenius error (max) |`);
    rows.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const delay of ['none', `lambda-tail:${base}`]) {
      for (const s of [0, 1, 2]) {
        const wall: number[] = [];
        const round: number[] = [];
        const cut: number[] = [];
        const its: number[] = [];
        const errs: number[] = [];
        for (let r = 0; r < reps; r++) {
          const out = join(dir, `Ainv-${s}-${r}.npy`);
          const t0 = performance.now();
          const p = spawnSync(
            process.execPath,
            [bin, 'invert', '--input', input, '--out', out, '--workers', '8', '--stragglers', String(s), '--tol', String(tol), '--delay', delay, '--seed', String(r + 1)],
            { encoding: 'utf8' },
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
          process.stderr.write(`delay ${delay} s=${s} rep ${r}: wall ${seconds.toFixed(2)} s, round ${rep.round.seconds.toFixed(2)} s\n`);
        }
        rows.push(
          `| ${delay} | ${s} | ${median(wall).toFixed(2)} | ${median(round).toFixed(2)} | ${median(cut)} | ${median(its)} | ${Math.max(...errs).toExponential(1)} |`,
        );
      }
    }
    process.stdout.write(`coda invert, n = ${n}, 8 workers, ε = ${tol}, ${reps} repetitions, A = G + ${shift}·√n·I\n${rows.join('\n')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
