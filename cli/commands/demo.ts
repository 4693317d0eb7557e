import { join } from 'node:path';
import { Command } from 'commander';
import { jobSchema, type JobSpec } from '../../shared/config';
import { runJob, schemeNames, startLocalCluster, writeJobOutputs } from '../../master';
import { parsePositiveInt } from '../common';
import { progressReporter } from '../progress';

/** The demo's job: a seeded 2000×40 Student-t least-squares problem under the heavy-tailed delay profile. */
export function demoJob(workers: number, scheme: string, out: string): JobSpec {
  return jobSchema.parse({
    job: 'least-squares',
    data: { synthetic: { kind: 'student-t', rows: 2000, cols: 40, seed: 1, df: 3 } },
    scheme: scheme === 'frc' ? { name: 'frc', stragglers: 1 } : { name: scheme },
    workers,
    chaos: { delay: { dist: 'lambda-tail', base: 0.01 }, seed: 7 },
    stop: { tol: 1e-10, maxRounds: 5000, timeLimit: 120 },
    out,
  });
}

export function demoCommand(): Command {
  return new Command('demo')
    .description('the demo: a local cluster of 8 worker processes solves a seeded least-squares problem under heavy-tailed delays, once per scheme')
    .option('--workers <n>', 'worker processes', '8')
    .option('--out <dir>', 'output folder', 'out/demo')
    .action(async (o: Record<string, string>) => {
      const n = parsePositiveInt(o.workers!, '--workers');
      const schemes = ['wait-all', ...(schemeNames().includes('frc') ? ['frc'] : ['ignore-stragglers'])];
      process.stdout.write(`Starting a local cluster: 1 master + ${n} worker processes on 127.0.0.1 (real gRPC)...\n`);
      const lc = await startLocalCluster({ workers: n });
      const rows: string[] = [];
      try {
        for (const scheme of schemes) {
          const job = demoJob(n, scheme, join(o.out!, scheme));
          process.stdout.write(`\n${scheme}: least squares 2000×40 (Student-t), delays ×1/×2.5/×9 of 10 ms w.p. 0.945/0.05/0.005\n`);
          const progress = progressReporter(scheme);
          const out = await runJob(job, {
            cluster: lc.master.cluster,
            metrics: lc.master.metrics,
            log: lc.master.log,
            onProgress: (p) => progress.update(p),
          }).finally(() => progress.stop());
          writeJobOutputs(job.out!, out);
          const r = out.result as Record<string, number | string | null>;
          rows.push(
            [scheme.padEnd(18), String(r.rounds).padStart(6), Number(r.wallSeconds).toFixed(2).padStart(8),
              Number(r.relResidual).toExponential(3).padStart(11), (r.relErrorVsDirect === null ? '-' : Number(r.relErrorVsDirect).toExponential(2)).padStart(11),
              String(r.stragglersCutOff).padStart(10)].join('  '),
          );
        }
      } finally {
        await lc.stop();
      }
      process.stdout.write(
        `\nSummary (results in ${o.out}/<scheme>/result.json and x.npy)\n` +
          `${'scheme'.padEnd(18)}  ${'rounds'.padStart(6)}  ${'wall s'.padStart(8)}  ${'rel. resid.'.padStart(11)}  ${'err vs QR'.padStart(11)}  ${'stragglers'.padStart(10)}\n` +
          rows.join('\n') + '\n',
      );
    });
}
