import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { loadJobFile, type JobSpec } from '../../shared/config';
import { runJob, startLocalCluster, submitJob, writeJobOutputs, type JobOutput } from '../../master';
import { parsePositiveInt, resolveToken, tlsFrom } from '../common';
import { progressReporter } from '../progress';

/** Runs a job on an embedded local cluster of job.workers worker processes. */
export async function runLocally(job: JobSpec, label: string, token?: string): Promise<JobOutput> {
  const lc = await startLocalCluster({ workers: job.workers, ...(token ? { token } : {}) });
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
      chaos: { processes: { restart: (i) => lc.restartWorker(i) } },
    });
  } finally {
    process.off('SIGINT', onSig);
    progress.stop();
    await lc.stop();
  }
}

/** Submits the job file's text to a running master, with a progress bar. */
async function runRemotely(address: string, yamlText: string, label: string, token?: string, tls?: ReturnType<typeof tlsFrom>): Promise<JobOutput> {
  const progress = progressReporter(label);
  const abort = new AbortController();
  const onSig = (): void => abort.abort();
  process.once('SIGINT', onSig);
  try {
    return await submitJob(address, yamlText, {
      ...(token ? { token } : {}),
      ...(tls ? { tls } : {}),
      signal: abort.signal,
      onProgress: (p) => progress.update(p),
    });
  } finally {
    process.off('SIGINT', onSig);
    progress.stop();
  }
}

export function runCommand(): Command {
  return new Command('run')
    .description('run a job file (YAML) on an embedded local cluster, or on a running master with --master')
    .argument('<job.yaml>', 'the job file (schema in the README)')
    .option('--master <host:port>', 'submit to this master instead of starting a local cluster')
    .option('--workers <n>', "override the job's worker count (local cluster)")
    .option('--out <dir>', "override the job's output folder")
    .option('--token-file <path>', 'file holding the cluster token (default: $CODA_TOKEN)')
    .option('--tls-ca <pem>', 'CA to verify the master over TLS')
    .action(async (file: string, o: Record<string, string | undefined>) => {
      let job = loadJobFile(file);
      if (o.workers) job = { ...job, workers: parsePositiveInt(o.workers, '--workers') };
      const out = o.out ?? job.out!;
      const token = resolveToken(o.tokenFile);
      const address = o.master ?? job.master;
      const tls = tlsFrom(o);
      const result = address
        ? await runRemotely(address, readFileSync(file, 'utf8'), job.job, token, tls)
        : await runLocally(job, job.job, token);
      writeJobOutputs(out, result);
      process.stdout.write(`${result.summary}\nresults in ${out}\n`);
    });
}
