import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { parseDocument } from 'yaml';
import { readJobText, resolveJobPaths } from '../../shared/config';
import { resolveLinalgThreadOptions } from '../../shared/linalg';
import { checkJob, parseJob, runJob, writeJobOutputs, type JobOutput, type JobSpec, type ResultOf } from '../../master';
import { submitJob } from '../../client';
import { processChaos, startLocalCluster } from '../../launcher';
import { checkLocalWorkers, parsePositiveInt, parseSeconds, resolveToken, tlsFrom } from '../common';
import { prepareOutputDir } from '../output-dir';
import { progressReporter } from '../progress';

/** Runs a job on an embedded local cluster of job.workers worker processes. */
export async function runLocally<J extends JobSpec>(job: J, label: string, token?: string, opts: { historyPath?: string } = {}): Promise<JobOutput<ResultOf<J>>> {
  // The embedded master's linear algebra as `coda master` would have it (CODA_KERNELS, CODA_THREADS).
  const lc = await startLocalCluster({ workers: job.workers, ...(token ? { token } : {}), master: { linalg: resolveLinalgThreadOptions({}, process.env) } });
  const progress = progressReporter(label);
  const abort = new AbortController();
  const onSig = (): void => abort.abort();
  process.once('SIGINT', onSig);
  try {
    return await runJob(job, {
      cluster: lc.master.cluster,
      metrics: lc.master.metrics,
      log: lc.master.log,
      signal: abort.signal,
      onProgress: (p) => progress.update(p),
      chaos: { processes: processChaos({ restart: (i) => lc.restartWorker(i) }) },
      ...(opts.historyPath ? { historyPath: opts.historyPath } : {}),
    });
  } finally {
    process.off('SIGINT', onSig);
    progress.stop();
    await lc.stop();
  }
}

/** Submits the job file's text to a running master, with a progress bar. */
async function runRemotely(
  address: string,
  yamlText: string,
  label: string,
  opts: { token?: string; tls?: ReturnType<typeof tlsFrom>; waitForMasterSeconds?: number; reconnectSeconds?: number; historyPath?: string },
): Promise<JobOutput> {
  const progress = progressReporter(label);
  const abort = new AbortController();
  const onSig = (): void => abort.abort();
  process.once('SIGINT', onSig);
  try {
    return await submitJob(address, yamlText, {
      ...opts,
      signal: abort.signal,
      onLog: (line) => process.stderr.write(`master ${address}: ${line}\n`),
      onProgress: (p) => progress.update(p),
    });
  } finally {
    process.off('SIGINT', onSig);
    progress.stop();
  }
}

/**
 * The job file's text as the master should see it: as written (comments and all; relative data
 * paths are the master's), with `workers` replaced when --workers overrides it.
 */
export function remoteJobText(yamlText: string, workers?: number): string {
  if (workers === undefined) return yamlText;
  const doc = parseDocument(yamlText);
  doc.set('workers', workers);
  return doc.toString();
}

export function runCommand(): Command {
  return new Command('run')
    .description('run a job file (YAML) on an embedded local cluster, or on a running master with --master')
    .argument('<job.yaml>', 'the job file (schema in the README)')
    .option('--master <host:port>', 'submit to this master instead of starting a local cluster')
    .option('--workers <n>', "override the job's worker count")
    .option('--out <dir>', "override the job's output folder")
    .option('--token-file <path>', 'file holding the cluster token (default: $CODA_TOKEN)')
    .option('--tls-ca <pem>', 'CA to verify the master over TLS')
    .option('--wait-master <seconds>', 'with --master: wait up to this long for the master to accept a connection', '0')
    .option('--max-workers <n>', 'the most workers a local cluster may start (default: what half the available memory holds, at most 1024)')
    .option('--wait <seconds>', 'with --master: when the master becomes unreachable mid-job (restarted with --state, a network drop), reconnect for up to this long and wait for the result (0: fail at once)', '300')
    .action(async (file: string, o: Record<string, string | undefined>) => {
      const text = readJobText(file);
      const parsed = parseJob(text, file);
      const address = o.master ?? parsed.master;
      // Submitted to a master, the data paths are the master's: it checks them when the job arrives.
      let job = address ? { ...parsed, out: resolve(parsed.out ?? `out/${parsed.job}`) } : resolveJobPaths(parsed, process.cwd(), file);
      if (o.workers) job = { ...job, workers: parsePositiveInt(o.workers, '--workers') };
      // Everything checked before anything starts: the job, its data, the scheme against the
      // workers, memory, the local cluster's size, the output folder.
      if (!address) checkLocalWorkers(job.workers, o.maxWorkers);
      checkJob(job, job.workers, { local: !address, here: !address });
      const token = resolveToken(o.tokenFile);
      const tls = tlsFrom(o);
      const waitForMasterSeconds = parseSeconds(o.waitMaster ?? '0', '--wait-master');
      const reconnectSeconds = parseSeconds(o.wait ?? '300', '--wait');
      const out = prepareOutputDir(o.out ?? job.out!, o.out ? '--out' : 'out');
      const historyPath = out.partial('history.jsonl');
      let result;
      try {
        result = address
          ? await runRemotely(address, remoteJobText(text, o.workers ? job.workers : undefined), job.job, {
              ...(token ? { token } : {}),
              ...(tls ? { tls } : {}),
              waitForMasterSeconds,
              reconnectSeconds,
              historyPath,
            })
          : await runLocally(job, job.job, token, { historyPath });
      } catch (e) {
        rmSync(historyPath, { force: true });
        out.abandon();
        throw e;
      }
      writeJobOutputs(out.dir, result);
      process.stdout.write(`${result.summary}\nresults in ${out.dir}\n`);
    });
}
