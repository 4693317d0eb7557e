/**
 * Benchmark (not a test): how much of `coda invert`'s time is the work itself. For the inverse of
 * a well-conditioned n×n matrix and the pseudoinverse of a tall rows×cols one, on 8 local
 * workers with s = 1, it reports the job's wall time (the runner: loading A, the rank check and κ,
 * placement, the solve round, the reference and the error products) and the CLI's (process start,
 * its own checks, the cluster's start and stop included) against placement + solve round, as
 * medians with min–max over the repetitions. Issue 23's goal: job wall ≤ 1.3 × (placement +
 * solve round) at n = 1000 and at 2000×1000.
 *
 *   npm run bench -- inverse [--n 1000] [--rows 2000] [--cols 1000] [--reps 5] [--workers 8]
 *     [--stragglers 1] [--tol 1e-10] [--shift 2] [--cases inverse,pseudoinverse]
 *     [--kernels native] [--delays none] [--base 0.04]
 *
 * --stragglers, --kernels (the workers': CODA_KERNELS) and --delays (none, lambda-tail with a
 * --base seconds base time) take comma-separated lists; every combination is a row, its runs
 * alternating per repetition.
 *
 * The delay's base is per column iteration of a worker's share (work in operations: a column
 * solve pays for its iterations; 0.04 s × the 52 CG iterations of n = 500 is the 2 s a whole
 * solve paid under the rows measure).
 *
 * A = G + shift·√n·I with G Gaussian (seeded) for the inverse (κ about 4 at shift 2: the table
 * measures the master's overhead, not CG's iteration count on a Gaussian matrix, κ ~ n); a tall
 * Gaussian for the pseudoinverse (κ(A) ≈ (√rows + √cols)/(√rows − √cols), about 6 at 2000×1000).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Rng } from '../shared/random';
import { formatNpy } from '../shared/tensor';
import { recordBench, runMain } from './report';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

function list(name: string, dflt: string): string[] {
  const i = process.argv.indexOf(`--${name}`);
  return (i > 0 ? process.argv[i + 1]! : dflt).split(',');
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** "median (min–max)" */
const spread = (xs: number[], digits = 2): string => `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

interface Report {
  wallSeconds: number;
  linalg: string;
  round: { seconds: number; placementSeconds: number; stragglers: unknown[] };
  iterations: { median: number };
  /** relativeFrobeniusNorm needs the exact reference (dimension ≤ the runner's limit); the residual is always there. */
  errors: { relativeFrobeniusNorm?: number; residualFrobenius: number };
  eventLoopLag: { master: { p99: number; max: number } };
}

interface CaseResult {
  case: string;
  shape: [number, number];
  kernels: string;
  delay: string;
  stragglers: number;
  linalg: string;
  runs: { cliWall: number; jobWall: number; placement: number; round: number; cut: number; iterations: number; relError: number | undefined; residual: number; lagMax: number }[];
}

export async function benchInverse(opts: { reps?: number } = {}): Promise<{ setup: Record<string, unknown>; cases: CaseResult[] }> {
  const n = arg('n', 1000);
  const rows = arg('rows', 2000);
  const cols = arg('cols', 1000);
  const reps = opts.reps ?? arg('reps', 5);
  const workers = arg('workers', 8);
  const sList = list('stragglers', '1').map(Number);
  const tol = arg('tol', 1e-10);
  const shift = arg('shift', 2);
  const base = arg('base', 0.04);
  const cases = list('cases', 'inverse,pseudoinverse');
  const kernelList = list('kernels', 'native');
  const delays = list('delays', 'none').map((d) => (d === 'lambda-tail' ? `lambda-tail:${base}` : d));
  const dir = mkdtempSync(join(tmpdir(), 'coda-bench-inverse-'));
  const bin = join(__dirname, '..', '..', 'bin', 'coda.js');
  const out: CaseResult[] = [];
  try {
    for (const kind of cases) {
      const rng = new Rng(500);
      const [r, c] = kind === 'inverse' ? [n, n] : [rows, cols];
      const A = Float64Array.from({ length: r * c }, () => rng.normal());
      if (kind === 'inverse') for (let i = 0; i < n; i++) A[i * n + i]! += shift * Math.sqrt(n);
      const input = join(dir, `${kind}.npy`);
      writeFileSync(input, formatNpy([r, c], A));
      for (const delay of delays) {
        for (const s of sList) {
          const rowsOf = kernelList.map((kernels): CaseResult => ({ case: kind, shape: [r, c], kernels, delay, stragglers: s, linalg: '', runs: [] }));
          for (let rep = 0; rep < reps; rep++) {
            for (const res of rowsOf) {
              const target = join(dir, `${kind}-${rep}.npy`);
              const t0 = performance.now();
              const p = spawnSync(
                process.execPath,
                [bin, 'invert', '--input', input, '--out', target, '--workers', String(workers), '--stragglers', String(s), '--tol', String(tol), '--delay', delay, '--seed', String(rep + 1), ...(kind === 'pseudoinverse' ? ['--pinv'] : [])],
                { encoding: 'utf8', env: { ...process.env, CODA_KERNELS: res.kernels }, maxBuffer: 64 << 20 },
              );
              const cliWall = (performance.now() - t0) / 1000;
              if (p.status !== 0) throw new Error(`coda invert failed (${p.status}): ${p.stderr}`);
              const rep_ = JSON.parse(readFileSync(target.replace(/\.npy$/, '.report.json'), 'utf8')) as Report;
              res.linalg = rep_.linalg;
              res.runs.push({
                cliWall,
                jobWall: rep_.wallSeconds,
                placement: rep_.round.placementSeconds,
                round: rep_.round.seconds,
                cut: rep_.round.stragglers.length,
                iterations: rep_.iterations.median,
                relError: rep_.errors.relativeFrobeniusNorm,
                residual: rep_.errors.residualFrobenius,
                lagMax: rep_.eventLoopLag.master.max,
              });
              const work = rep_.round.placementSeconds + rep_.round.seconds;
              process.stderr.write(
                `${kind} ${r}×${c} ${res.kernels} ${delay} s=${s} rep ${rep}: job ${rep_.wallSeconds.toFixed(2)} s, CLI ${cliWall.toFixed(2)} s, ` +
                  `placement + round ${work.toFixed(2)} s (ratio ${(rep_.wallSeconds / work).toFixed(2)}), master lag max ${(rep_.eventLoopLag.master.max * 1000).toFixed(0)} ms\n`,
              );
              rmSync(target, { force: true });
            }
          }
          out.push(...rowsOf);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const lines = [
    `coda invert, ${workers} workers, ε = ${tol}, ${reps} repetitions: medians (min–max)`,
    '| case | workers\' kernels | delay | s | master linalg | job wall s | CLI wall s | placement s | solve round s | job wall / (placement + round) | CLI wall / (placement + round) | stragglers cut | CG its/column | rel. error (max; — without a reference) | ‖AÂ−I‖_F or ‖ÂA−I‖_F (max) | master lag max ms |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...out.map((c) => {
      const work = c.runs.map((x) => x.placement + x.round);
      return (
        `| ${c.case} ${c.shape.join('×')} | ${c.kernels} | ${c.delay} | ${c.stragglers} | ${c.linalg} | ${spread(c.runs.map((x) => x.jobWall))} | ${spread(c.runs.map((x) => x.cliWall))} | ${spread(c.runs.map((x) => x.placement))} | ` +
        `${spread(c.runs.map((x) => x.round))} | ${spread(c.runs.map((x, i) => x.jobWall / work[i]!))} | ${spread(c.runs.map((x, i) => x.cliWall / work[i]!))} | ${median(c.runs.map((x) => x.cut))} | ` +
        `${median(c.runs.map((x) => x.iterations))} | ${c.runs.some((x) => x.relError === undefined) ? '—' : Math.max(...c.runs.map((x) => x.relError!)).toExponential(1)} | ${Math.max(...c.runs.map((x) => x.residual)).toExponential(1)} | ${spread(c.runs.map((x) => x.lagMax * 1000), 0)} |`
      );
    }),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return { setup: { n, rows, cols, reps, workers, stragglers: sList, tol, shift, kernels: kernelList, delays }, cases: out };
}

if (require.main === module) runMain(() => recordBench('inverse', { repeats: arg('reps', 5) }, () => benchInverse()));
