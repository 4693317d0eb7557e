import { relative } from 'node:path';
import { Command } from 'commander';
import { expandExperiment, experimentSchema, runRows, summarize, type ExperimentInput, type GroupSummary } from '../../experiments';
import { jobOf, schemeNames, type JobSpecOf } from '../../master';
import { checkLocalWorkers, parsePositiveInt } from '../common';
import { prepareOutputDir } from '../output-dir';
import { checkRuns, runExperimentCli } from './experiment';

/** The demo's job: a seeded 2000×40 Student-t least-squares problem under the heavy-tailed delay profile. */
export function demoJob(workers: number, scheme: string, out: string): JobSpecOf<'least-squares'> {
  return jobOf('least-squares', {
    data: { synthetic: { kind: 'student-t', rows: 2000, cols: 40, seed: 1, df: 3 } },
    scheme: scheme === 'frc' ? { name: 'frc', stragglers: 1 } : { name: scheme },
    workers,
    chaos: { delay: { dist: 'lambda-tail', base: 0.01 }, seed: 7 },
    stop: { tol: 1e-10, maxRounds: 5000, timeLimit: 120 },
    out,
  });
}

/** The demo's experiment: three exact schemes, with and without the Lambda-tail delays, three seeds each (18 runs). */
export function demoExperiment(workers: number, seeds: number): ExperimentInput {
  const want = ['wait-all', 'speculative', 'frc'].filter((s) => schemeNames().includes(s));
  return {
    name: 'demo',
    description: `Least squares 2000×40 (Student-t, df 3) by steepest descent with exact line search on ${workers} local worker processes: exact schemes against heavy-tailed delays.`,
    base: {
      job: 'least-squares',
      data: { synthetic: { kind: 'student-t', rows: 2000, cols: 40, seed: 1, df: 3 } },
      stop: { tol: 1e-10, maxRounds: 5000, timeLimit: 60 },
    },
    matrix: {
      schemes: want.map((s) => (s === 'frc' ? { name: 'frc', stragglers: 1 } : s)),
      chaos: { none: {}, 'lambda-tail': { delay: { dist: 'lambda-tail', base: 0.01 } } },
      seeds: Array.from({ length: seeds }, (_, i) => i + 1),
      workers: [workers],
    },
    targets: [1e-4, 1e-8],
    baseline: 'none',
  };
}

const med = (g: GroupSummary, f: (g: GroupSummary) => { median: number; min: number; max: number } | null, digits: (v: number) => string): string => {
  const s = f(g);
  return s ? `${digits(s.median)} [${digits(s.min)}–${digits(s.max)}]` : '-';
};

export function demoCommand(): Command {
  return new Command('demo')
    .description('the demo: a small experiment on a local cluster of 8 worker processes (3 schemes × with/without heavy-tailed delays × 3 seeds), a summary table and a report.html')
    .option('--workers <n>', 'worker processes', '8')
    .option('--seeds <n>', 'seeds per scheme and profile', '3')
    .option('--out <dir>', 'output folder (resumable: finished runs are kept)', 'out/demo')
    .action(async (o: Record<string, string>) => {
      const n = parsePositiveInt(o.workers!, '--workers');
      const spec = experimentSchema.parse(demoExperiment(n, parsePositiveInt(o.seeds!, '--seeds')));
      const exp = expandExperiment(spec, 'demo');
      checkRuns(exp, 'demo');
      checkLocalWorkers(n, undefined, '--workers');
      const outDir = prepareOutputDir(o.out!, '--out', ['runs.csv', 'summary.csv', 'report.html']).dir;
      process.stdout.write(
        `Coda demo: ${exp.runs.length} runs (${exp.axes.schemes.join(', ')} × ${exp.axes.chaos.join(' / ')} × ${exp.axes.seeds.length} seeds)\n` +
          `on a local cluster: 1 master + ${n} worker processes on 127.0.0.1 (real gRPC); delays ×1/×2.5/×9 of 10 ms w.p. 0.945/0.05/0.005\n\n`,
      );
      const res = await runExperimentCli(exp, { outDir });
      const groups = summarize(runRows(res.records, spec.targets, exp.baseline), spec.targets);
      const head = `${'scheme'.padEnd(16)} ${'chaos'.padEnd(12)} ${'rounds'.padStart(14)} ${'wall s'.padStart(20)} ${'rel. resid.'.padStart(11)} ${'stragglers cut off'.padStart(18)} ${'straggler tax ×'.padStart(18)}`;
      const lines = groups.map((g) =>
        [
          g.scheme.padEnd(16), g.chaos.padEnd(12),
          med(g, (x) => x.rounds, (v) => String(Math.round(v))).padStart(14),
          med(g, (x) => x.wall, (v) => v.toFixed(2)).padStart(20),
          (g.relResidual ? g.relResidual.median.toExponential(3) : '-').padStart(11),
          med(g, (x) => x.stragglersCutOff, (v) => String(Math.round(v))).padStart(18),
          med(g, (x) => x.stragglerTax, (v) => v.toFixed(2)).padStart(18),
        ].join(' '),
      );
      const r = relative(process.cwd(), outDir);
      const rel = !r ? '.' : r.startsWith('..') ? outDir : r;
      process.stdout.write(
        `\nSummary over ${exp.axes.seeds.length} seeds: median [min–max]; straggler tax = wall time / same scheme and seed without delay\n` +
          `${head}\n${lines.join('\n')}\n` +
          (res.interrupted
            ? `\nstopped early: ${res.records.length}/${exp.runs.length} runs; run the demo again to finish them\n`
            : `\nReport (plots, tables; opens offline): ${rel}/report.html\nEvery run: ${rel}/runs.csv and ${rel}/runs/<id>.json · rebuild the report: npx coda report ${rel}\n`),
      );
      if (res.interrupted) process.exitCode = 130;
    });
}
