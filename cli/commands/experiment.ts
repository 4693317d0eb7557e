import { resolve } from 'node:path';
import { Command } from 'commander';
import { ClusterError, ExitCode, InputError } from '../../shared/errors';
import { parseHostPort } from '../../shared/wire';
import {
  buildReport,
  expandExperiment,
  experimentProgress,
  loadExperimentFile,
  remoteExecutor,
  runExperiment,
  type ExpandedExperiment,
  type ExperimentOutcome,
  type RunExecutor,
} from '../../experiments';
import { checkJob, runJob, type JobSpec } from '../../master';
import { startLocalCluster } from '../../launcher';
import { checkLocalWorkers, parseSeconds, resolveToken, tlsFrom } from '../common';
import { prepareOutputDir } from '../output-dir';

/**
 * Checks every run before anything starts, as `coda run` checks a job (checkJob: data shapes, the
 * scheme's parameters against the run's worker count, memory); each problem once, with the
 * first run that has it. `remote`: the runs go to a master, whose data paths are its own.
 */
export function checkRuns(exp: ExpandedExperiment, source: string, remote = false): void {
  const problems = new Map<string, string>();
  for (const run of exp.runs) {
    try {
      checkJob(run.job, run.params.workers, { local: !remote, here: !remote });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      if (!problems.has(e.message)) problems.set(e.message, run.id);
    }
  }
  if (problems.size === 1) {
    const [[m, id]] = [...problems];
    throw new InputError(`${source}: run ${id}: ${m!}`);
  }
  if (problems.size > 1) {
    throw new InputError(`${source}: the matrix makes jobs that cannot run:\n${[...problems].map(([m, id]) => `  ${m}   (first in run ${id})`).join('\n')}`);
  }
}

/** The job cut to five rounds with no chaos: what a warm-up runs. */
function warmUpJob<J extends JobSpec>(job: J): J {
  return { ...job, stop: { ...job.stop, maxRounds: 5 }, chaos: { ...job.chaos, delay: { dist: 'none' } } };
}

/**
 * One local cluster of the largest worker count for the whole matrix; a run with fewer workers
 * uses the first live ones (its job session's worker subset), so every run meets the same processes.
 */
export async function localExecutor(workers: number, token?: string): Promise<RunExecutor> {
  const lc = await startLocalCluster({ workers, ...(token ? { token } : {}) });
  const cluster = lc.master.cluster;
  return {
    /**
     * A few untimed rounds of the first run's job with no chaos before anything is measured: the
     * first job on fresh processes pays for JIT and connection set-up, which would tax whichever
     * scheme happens to come first.
     */
    async warmUp(run) {
      await runJob(warmUpJob(run.job), { cluster, metrics: lc.master.metrics, log: lc.master.log });
    },
    async run(run, { onProgress, signal }) {
      const live = cluster.liveWorkers().sort((a, b) => a - b);
      if (live.length < run.params.workers) throw new ClusterError(`run ${run.id} needs ${run.params.workers} workers; ${live.length} are alive`);
      const out = await runJob(run.job, {
        cluster,
        workers: live.slice(0, run.params.workers),
        metrics: lc.master.metrics,
        log: lc.master.log,
        ...(signal ? { signal } : {}),
        ...(onProgress ? { onProgress } : {}),
      });
      return out.result;
    },
    close: () => lc.stop(),
  };
}

/** Runs an expanded experiment with progress, SIGINT as a clean stop, then the report. */
export async function runExperimentCli(
  exp: ExpandedExperiment,
  opts: { outDir: string; master?: string; token?: string; tls?: ReturnType<typeof tlsFrom>; reconnectSeconds?: number },
): Promise<ExperimentOutcome & { report?: string }> {
  const progress = experimentProgress();
  const abort = new AbortController();
  const onSig = (): void => abort.abort();
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  let outcome: ExperimentOutcome;
  try {
    outcome = await runExperiment(exp, {
      outDir: opts.outDir,
      signal: abort.signal,
      events: progress,
      executor: async () =>
        opts.master
          ? remoteExecutor(opts.master, {
              ...(opts.token ? { token: opts.token } : {}),
              ...(opts.tls ? { tls: opts.tls } : {}),
              ...(opts.reconnectSeconds !== undefined ? { reconnectSeconds: opts.reconnectSeconds } : {}),
            })
          : localExecutor(Math.max(...exp.axes.workers), opts.token),
    });
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
    progress.stop();
  }
  if (outcome.interrupted) return outcome;
  const report = await buildReport(opts.outDir);
  return { ...outcome, report: report.path };
}

export function experimentCommand(): Command {
  return new Command('experiment')
    .description('run a matrix of jobs (algorithms × schemes × chaos profiles × seeds × worker counts) from an experiment file; resumable; writes runs.csv and report.html')
    .argument('<experiment.yaml>', 'the experiment file (see examples/*-experiment.yaml)')
    .option('--out <dir>', "output folder (default: the file's out, else out/<name>)")
    .option('--master <host:port>', 'submit every run to this master instead of starting a local cluster')
    .option('--token-file <path>', 'file holding the cluster token (default: $CODA_TOKEN)')
    .option('--tls-ca <pem>', 'CA to verify the master over TLS')
    .option('--wait <seconds>', 'with --master: when the master becomes unreachable mid-run, reconnect for up to this long and wait for the run\'s result (0: fail at once)', '300')
    .option('--dry-run', 'validate the file and list the runs, run nothing')
    .option('--max-workers <n>', 'the most workers the local cluster may start (default: what half the available memory holds, at most 1024)')
    .action(async (file: string, o: Record<string, string | boolean | undefined>) => {
      const spec = loadExperimentFile(file);
      const exp = expandExperiment(spec, file);
      const master = (o.master as string | undefined) ?? spec.master;
      if (master) parseHostPort(master, o.master ? '--master' : `${file}: master`);
      checkRuns(exp, file, master !== undefined);
      const outDir = resolve((o.out as string | undefined) ?? spec.out ?? `out/${exp.name}`);
      if (o.dryRun) {
        process.stdout.write(`${exp.runs.length} runs -> ${outDir}\n${exp.runs.map((r) => `  ${r.id}`).join('\n')}\n`);
        return;
      }
      if (!master) checkLocalWorkers(Math.max(...exp.axes.workers), o.maxWorkers as string | undefined, 'matrix.workers');
      prepareOutputDir(outDir, o.out ? '--out' : 'out', ['runs.csv', 'summary.csv', 'report.html']);
      const token = resolveToken(o.tokenFile as string | undefined);
      const tls = tlsFrom(o as { tlsCa?: string });
      const reconnectSeconds = parseSeconds(o.wait as string, '--wait');
      const res = await runExperimentCli(exp, { outDir, reconnectSeconds, ...(master ? { master } : {}), ...(token ? { token } : {}), ...(tls ? { tls } : {}) });
      if (res.interrupted) {
        process.stdout.write(`\nstopped: ${res.records.length}/${exp.runs.length} runs finished (runs.csv in ${outDir}); run the same command again to resume\n`);
        process.exitCode = ExitCode.interrupted;
        return;
      }
      process.stdout.write(
        `\n${exp.runs.length} runs (${res.ran} run now, ${res.skipped} already done)\n` +
          `  runs:    ${outDir}/runs.csv (one row per run), ${outDir}/runs/<id>.json (full histories)\n` +
          `  summary: ${outDir}/summary.csv (medians and ranges over seeds)\n` +
          `  report:  ${res.report}\n`,
      );
    });
}
