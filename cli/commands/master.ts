import { createHash } from 'node:crypto';
import { Command } from 'commander';
import { readJobText } from '../../shared/config';
import { ClusterError, CodaError, InputError } from '../../shared/errors';
import { resolveLinalgThreadOptions } from '../../shared/linalg';
import { joinHostPort } from '../../shared/wire';
import { checkJob, loadJobFile, startMaster, writeJobOutputs } from '../../master';
import { parsePort, parsePositiveInt, parseSeconds, resolveToken, tlsFrom, untilSignal } from '../common';
import { prepareOutputDir } from '../output-dir';
import { checkPortFree } from '../ports';

export function masterCommand(): Command {
  return new Command('master')
    .description('start a master: worker registry, parameter store, job submission (coda run --master); optionally run one job itself')
    .option('--host <addr>', 'interface to bind', '0.0.0.0')
    .option('--port <n>', 'gRPC port', '7070')
    .option('--metrics-port <n>', 'serve Prometheus /metrics on this port', '9464')
    .option('--job <file>', 'run this job file once enough workers have joined')
    .option('--min-workers <n>', 'workers to wait for before running --job', '4')
    .option('--out <dir>', "override the job's output folder")
    .option('--exit-after-job', 'exit when the --job finishes (exit code 0 on success)')
    .option('--token-file <path>', 'file holding the cluster token (default: $CODA_TOKEN)')
    .option('--worker-wait <seconds>', "how long a submitted job waits for its `workers` to join", '300')
    .option('--state <dir>', 'keep every accepted job, its checkpoints and its result in this folder; a master restarted on it resumes the unfinished jobs')
    .option('--checkpoint-every <seconds>', 'with --state: seconds between checkpoints of a running job', '2')
    .option('--worker-statefulset <name>', 'admit only pods of this StatefulSet, each as its own ordinal (verified through cluster DNS)')
    .option('--tls-cert <pem>', 'server certificate (enables TLS)')
    .option('--tls-key <pem>', 'server private key')
    .option('--tls-ca <pem>', 'CA for dialing workers over TLS')
    .option('--data-dir <dir>', 'the only folder submitted jobs may read data from (relative paths resolve there; default: the working folder)')
    .option('--insecure', 'allow a non-loopback --host without a cluster token (anyone who reaches the port can submit jobs)')
    .option('--kernels <backend>', "the master's linear algebra: native (LAPACK) or js (ml-matrix) (default: $CODA_KERNELS, else native when built)")
    .option('--threads <n>', "OpenBLAS threads of the master's linear algebra (default: $CODA_THREADS, else 1)")
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const token = resolveToken(o.tokenFile as string | undefined);
      const tls = tlsFrom(o as { tlsCa?: string; tlsCert?: string; tlsKey?: string });
      const host = o.host as string;
      const port = parsePort(o.port as string, '--port');
      const metricsPort = parsePort(o.metricsPort as string, '--metrics-port');
      const minWorkers = parsePositiveInt(o.minWorkers as string, '--min-workers');
      const linalg = resolveLinalgThreadOptions({ ...(o.kernels ? { kernels: o.kernels as string } : {}), ...(o.threads ? { threads: o.threads as string } : {}) }, process.env);
      // Everything checked before anything starts: the job, the flags, the ports, the output folder.
      const job = o.job ? loadJobFile(o.job as string) : undefined;
      if (job) checkJob(job, minWorkers);
      const statefulSet = o.workerStatefulset as string | undefined;
      if (statefulSet !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(statefulSet)) {
        throw new InputError(`--worker-statefulset must be a StatefulSet name (lower-case letters, digits, '-'), got '${statefulSet}'`);
      }
      await checkPortFree(host, port, '--port');
      await checkPortFree(host, metricsPort, '--metrics-port');
      const out = job ? prepareOutputDir((o.out as string | undefined) ?? job.out!, o.out ? '--out' : 'out') : undefined;
      let m;
      try {
        m = await startMaster({
          host,
          port,
          metricsPort,
          workerWaitSeconds: parseSeconds(o.workerWait as string, '--worker-wait'),
          dataDir: (o.dataDir as string | undefined) ?? process.cwd(),
          insecure: o.insecure === true,
          linalg,
          ...(o.state ? { stateDir: o.state as string, checkpoint: { everySeconds: parseSeconds(o.checkpointEvery as string, '--checkpoint-every'), everyRounds: Infinity } } : {}),
          ...(statefulSet ? { workerStatefulSet: statefulSet } : {}),
          ...(token ? { token } : {}),
          ...(tls ? { tls } : {}),
        });
      } catch (e) {
        out?.abandon();
        throw e;
      }
      process.stdout.write(`master listening on ${joinHostPort(o.host as string, m.port)} (metrics on ${m.metricsPort})\n`);
      if (job && out) {
        m.log.info({ workers: minWorkers }, 'waiting for workers');
        // The master's own job goes through its job manager like a submitted one, under an id
        // from its text: with --state, a master restarted with the same --job resumes it (or,
        // if it finished, writes its kept result again).
        const text = readJobText(o.job as string);
        const id = `master-job-${createHash('sha256').update(`${text}\n${minWorkers}`).digest('hex').slice(0, 16)}`;
        const managed = m.jobs.submit(text, id, { workers: minWorkers, origin: 'master-job', baseDir: process.cwd() });
        const ending = await managed.ended;
        if (ending.type === 'failed') {
          out.abandon();
          throw ending.exitCode === 2 ? new InputError(ending.message) : ending.exitCode === 3 ? new ClusterError(ending.message) : new CodaError(ending.message);
        }
        // The store keeps its copy of the history for re-attaching submitters: copied, not moved.
        writeJobOutputs(out.dir, ending.out, { keepHistory: true });
        process.stdout.write(`${ending.out.summary}\nresults in ${out.dir}\n`);
        if (o.exitAfterJob) {
          await m.stop();
          return;
        }
      }
      await untilSignal();
      await m.stop();
    });
}
