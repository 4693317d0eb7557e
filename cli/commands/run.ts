import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { parseDocument } from 'yaml';
import { readJobText, resolveJobPaths } from '../../shared/config';
import { InputError } from '../../shared/errors';
import { parseHostPort } from '../../shared/wire';
import { resolveLinalgThreadOptions } from '../../shared/linalg';
import { checkJob, parseJob, runJob, writeJobOutputs, type JobOutput, type JobSpec, type ResultOf } from '../../master';
import { submitJob, uploadArrays, type ArraySource } from '../../client';
import { processChaos, startLocalCluster } from '../../launcher';
import { checkLocalWorkers, parsePositiveInt, parseSeconds, resolveToken, tlsFrom } from '../common';
import { settledWorkerCount } from '../dns-workers';
import { prepareOutputDir } from '../output-dir';
import { progressReporter } from '../progress';
import { uploadPlan } from '../upload-data';

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
  opts: { token?: string; tls?: ReturnType<typeof tlsFrom>; waitForMasterSeconds?: number; reconnectSeconds?: number; historyPath?: string; arrays?: ArraySource[] },
): Promise<JobOutput> {
  const progress = progressReporter(label);
  const abort = new AbortController();
  const onSig = (): void => abort.abort();
  process.once('SIGINT', onSig);
  try {
    const { arrays, ...rest } = opts;
    let uploadId: string | undefined;
    if (arrays) {
      const t0 = Date.now();
      const up = await uploadArrays(address, arrays, { ...(opts.token ? { token: opts.token } : {}), ...(opts.tls ? { tls: opts.tls } : {}), signal: abort.signal });
      process.stderr.write(`uploaded ${up.names.join(', ')} (${(up.bytes / 1e6).toFixed(1)} MB) to ${address} in ${((Date.now() - t0) / 1000).toFixed(2)} s\n`);
      uploadId = up.uploadId;
    }
    return await submitJob(address, yamlText, {
      ...rest,
      ...(uploadId ? { uploadId } : {}),
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
    .argument('<job.yaml>', 'the job file (its keys: docs/job-files.md)')
    .option('--master <host:port>', 'submit to this master instead of starting a local cluster')
    .option('--workers <n>', "override the job's worker count")
    .option('--out <dir>', "override the job's output folder")
    .option('--token-file <path>', 'file holding the cluster token (default: $CODA_TOKEN)')
    .option('--tls-ca <pem>', 'CA to verify the master over TLS')
    .option('--wait-master <seconds>', 'with --master: wait up to this long for the master to accept a connection', '0')
    .option('--max-workers <n>', 'the most workers a local cluster may start (default: what half the available memory holds, at most 1024)')
    .option('--workers-from-dns <name>', 'with --master: as many workers as this DNS name has addresses once that count holds still (a StatefulSet\'s headless Service, a compose service): the job follows a scale-out')
    .option('--workers-settle <seconds>', 'with --workers-from-dns: how long the count must hold still', '5')
    .option('--wait <seconds>', 'with --master: when the master becomes unreachable mid-job (restarted with --state, a network drop), reconnect for up to this long and wait for the result (0: fail at once)', '300')
    .option('--upload', "with --master: read the job's data files here and send them with the job (the master needs no copy of them); without it, data paths are the master's")
    .action(async (file: string, o: Record<string, string | undefined>) => {
      const text = readJobText(file);
      const parsed = parseJob(text, file);
      const address = o.master ?? parsed.master;
      const upload = o.upload !== undefined;
      if (upload && !address) throw new InputError('--upload sends the data to a master: give --master HOST:PORT (a local run reads the files itself)');
      if (address) parseHostPort(address, o.master ? '--master' : `${file}: master`);
      // Submitted to a master, the data paths are the master's: it checks them when the job
      // arrives. Uploaded, they are this machine's, checked here like a local run's.
      let job = address && !upload ? { ...parsed, out: resolve(parsed.out ?? `out/${parsed.job}`) } : resolveJobPaths(parsed, process.cwd(), file);
      if (o.workers) job = { ...job, workers: parsePositiveInt(o.workers, '--workers') };
      if (o.workersFromDns !== undefined) {
        if (!address) throw new InputError('--workers-from-dns needs --master (a local cluster starts its own workers)');
        if (o.workers) throw new InputError('--workers and --workers-from-dns both set the worker count: give one');
        const settleSeconds = parseSeconds(o.workersSettle ?? '5', '--workers-settle');
        const timeoutSeconds = Math.max(60, parseSeconds(o.waitMaster ?? '0', '--wait-master'));
        const n = await settledWorkerCount(o.workersFromDns, { min: 1, settleMs: settleSeconds * 1000, timeoutMs: timeoutSeconds * 1000, pollMs: 500, onWait: (m) => process.stderr.write(`${m}\n`) });
        process.stderr.write(`${o.workersFromDns}: ${n} workers\n`);
        job = { ...job, workers: n };
      }
      // Everything checked before anything starts: the job, its data, the scheme against the
      // workers, memory, the local cluster's size, the output folder. (Memory is the master's
      // to check for a job it runs.)
      if (!address) checkLocalWorkers(job.workers, o.maxWorkers);
      checkJob(job, job.workers, { local: !address, here: !address || upload, ...(address ? { availableBytes: Infinity } : {}) });
      const sent = upload ? uploadPlan(text, job.data, o.workers ? job.workers : undefined) : undefined;
      const token = resolveToken(o.tokenFile);
      const tls = tlsFrom(o);
      const waitForMasterSeconds = parseSeconds(o.waitMaster ?? '0', '--wait-master');
      const reconnectSeconds = parseSeconds(o.wait ?? '300', '--wait');
      const out = prepareOutputDir(o.out ?? job.out!, o.out ? '--out' : 'out');
      const historyPath = out.partial('history.jsonl');
      let result;
      try {
        result = address
          ? await runRemotely(address, sent?.text ?? remoteJobText(text, o.workers || o.workersFromDns !== undefined ? job.workers : undefined), job.job, {
              ...(sent ? { arrays: sent.arrays } : {}),
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
