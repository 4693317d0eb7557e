import { basename, dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { InputError } from '../../shared/errors';
import { availableCpus, defaultMaxIterations } from '../../shared/kernels';
import { writeFileAtomic } from '../../shared/fs';
import { inlineLinalg, resolveLinalgThreadOptions, selectLinalg } from '../../shared/linalg';
import { loadMatrix, writeNpy, type Matrix } from '../../shared/tensor';
import { checkJob, jobOf, type JobSpecOf } from '../../master';
import {
  checkableOnMaster,
  checkFullRank,
  conditionOf,
  describeEstimate,
  estimateColumnSolves,
  inverseProblem,
  productRate,
  type InverseKind,
  type SolveEstimate,
} from '../../algorithms/inverse';
import { checkLocalWorkers, parsePositiveInt, resolveToken } from '../common';
import { prepareOutputDir } from '../output-dir';
import { runLocally } from './run';

/** `--delay lambda-tail:0.2` → the job schema's delay mapping. */
export function parseDelayFlag(v: string): Record<string, unknown> {
  const [dist, arg] = v.split(':');
  const num = (what: string): number => {
    const x = Number(arg);
    if (arg === undefined || !Number.isFinite(x) || x < 0) throw new InputError(`--delay ${v}: ${dist} needs ${what}, e.g. ${dist}:0.2`);
    return x;
  };
  switch (dist) {
    case 'none':
      return { dist: 'none' };
    case 'constant':
      return { dist: 'constant', value: num('seconds') };
    case 'lambda-tail':
      return { dist: 'lambda-tail', base: num('a base time in seconds') };
    case 'exponential':
      return { dist: 'exponential', rate: num('a rate (1/seconds)') };
    default:
      throw new InputError(`--delay ${v}: use none, constant:S, exponential:RATE or lambda-tail:BASE (for other distributions, a job file)`);
  }
}

/** Where the JSON report goes: beside the output, `Ainv.npy` → `Ainv.report.json`. */
export function reportPathFor(out: string): string {
  return out.replace(/\.npy$/i, '') + '.report.json';
}

export function invertCommand(): Command {
  return new Command('invert')
    .description(
      'approximate A⁻¹ (square nonsingular A) or, with --pinv, the left pseudoinverse (AᵀA)⁻¹Aᵀ of a tall full-rank A: ' +
        'columns solved on workers by CG or SD over fractional repetition, exact despite up to s stragglers; ' +
        'prints κ(A), the expected iterations a column and time before it starts, and the columns solved as it runs',
    )
    .requiredOption('--input <A.npy>', 'the matrix, a float64 .npy (or .csv)')
    .requiredOption('--out <Ainv.npy>', 'where to write the estimate; the JSON report goes beside it (<name>.report.json)')
    .option('--workers <n>', 'worker processes of the local cluster', '8')
    .option('--stragglers <s>', 'stragglers to tolerate: column groups are stored on s+1 workers each', '1')
    .option('--pinv', 'left pseudoinverse of a tall full-rank A through (AᵀA)⁻¹Aᵀ (Algorithm 2)')
    .option(
      '--solver <cg|sd>',
      'column solver: cg (default) or sd, steepest descent with backtracking line search; SD stalls on matrices with a ' +
        'condition number in the hundreds at small ε (tens of thousands of iterations per column)',
      'cg',
    )
    .option('--tol <eps>', 'ε: each column stops when ‖∇f_i‖₂ ≤ ε', '1e-10')
    .option('--max-iter <n>', 'iteration cap per column (default 20·n for cg, 100000 for sd); the estimate printed before the solve suggests one when it would take hours')
    .option('--decode <rule>', 'residue: the first complete residue class (Algorithm 4); cover: the first answer per group', 'residue')
    .option('--delay <dist>', 'inject a per-task delay on the workers: none, constant:S, exponential:RATE, lambda-tail:BASE', 'none')
    .option('--seed <n>', 'seed of the injected delays', '0')
    .option('--token-file <path>', 'file holding the cluster token (default: $CODA_TOKEN)')
    .option('--max-workers <n>', 'the most workers the local cluster may start (default: what half the available memory holds, at most 1024)')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const kind = o.pinv ? 'pseudoinverse' : 'inverse';
      const out = resolve(String(o.out));
      if (!/\.npy$/i.test(out)) throw new InputError(`--out ${String(o.out)}: the estimate is written as .npy; name it like Ainv.npy`);
      const raw = {
        job: kind,
        data: { A: resolve(String(o.input)) },
        workers: parsePositiveInt(String(o.workers), '--workers'),
        scheme: { name: 'frc', stragglers: Number(o.stragglers), decode: o.decode },
        solver: o.solver,
        tol: Number(o.tol),
        ...(o.maxIter ? { maxIterations: parsePositiveInt(String(o.maxIter), '--max-iter') } : {}),
        chaos: { delay: parseDelayFlag(String(o.delay)), seed: Number(o.seed) },
        out,
      };
      const job = jobOf(kind, raw, 'coda invert');
      checkJob(job, job.workers, { local: true });
      checkLocalWorkers(job.workers, o.maxWorkers as string | undefined, '--workers');
      // Every check on A before a worker starts: float64 .npy, finite, shape, rank; then what the
      // solve will cost, said before any worker starts (issue 26).
      const estimate = await checkAndEstimate(kind, loadMatrix(job.data.A!), { ...job, stragglers: raw.scheme.stragglers });
      if (estimate) for (const line of describeEstimate(estimate).lines) process.stderr.write(`coda invert: ${line}\n`);
      else process.stderr.write('coda invert: estimate skipped (A is too large for a quick SVD here); progress is shown as column groups finish\n');
      const report = reportPathFor(out);
      const dir = prepareOutputDir(dirname(out), '--out', [basename(out), basename(report)]);
      let result;
      try {
        result = await runLocally(job, `coda invert (${kind})`, resolveToken(o.tokenFile as string | undefined));
      } catch (e) {
        dir.abandon();
        throw e;
      }
      const [tensor] = Object.values(result.tensors);
      writeNpy(out, tensor!.shape, tensor!.values);
      writeFileAtomic(report, JSON.stringify({ ...result.result, output: { ...result.result.output, file: out } }, null, 2) + '\n');
      process.stdout.write(`${result.summary}\nwrote ${out} and ${report}\n`);
    });
}

/**
 * The CLI's checks before its local cluster starts (inline LAPACK: nothing else runs yet): the
 * rank by pivoted QR (SingularMatrixError naming the dependent columns), κ from the singular
 * values, and the solve's expected iterations and time from a short calibration of the workers'
 * main product on this machine, with its cores shared by the local workers. Undefined when A is
 * too large to check quickly.
 */
export async function checkAndEstimate(
  kind: InverseKind,
  A: Matrix,
  job: Pick<JobSpecOf<'inverse'>, 'workers' | 'solver' | 'tol' | 'maxIterations'> & { stragglers: number },
): Promise<SolveEstimate | undefined> {
  const problem = inverseProblem(kind, A);
  if (!checkableOnMaster(A)) return undefined;
  const options = resolveLinalgThreadOptions({}, process.env);
  const sel = selectLinalg({ backend: options.backend, ...(options.addon ? { addon: options.addon } : {}) });
  if (sel.warning) process.stderr.write(`${sel.warning}\n`);
  // One BLAS thread, as each local worker has (the embedded master's thread sets the same count).
  sel.binding?.setThreads(options.blasThreads ?? 1);
  const la = inlineLinalg(sel.linalg);
  await checkFullRank(la, problem);
  const cond = await conditionOf(la, A);
  const stragglers = job.stragglers;
  const maxIterations = job.maxIterations ?? defaultMaxIterations(job.solver, problem.unknowns);
  const base = { kind, rows: A.rows, cols: A.cols, sigmaMax: cond.sigmaMax, sigmaMin: cond.sigmaMin, solver: job.solver, tol: job.tol, maxIterations, workers: job.workers, stragglers };
  const perWorker = estimateColumnSolves(base).columnsPerWorker;
  const flopsPerSecond = await productRate(la, A.cols, perWorker);
  return estimateColumnSolves({ ...base, rate: { flopsPerSecond, parallel: Math.min(job.workers, availableCpus()) } });
}
