import { Command } from 'commander';
import { InputError } from '../../shared/errors';
import { joinHostPort } from '../../shared/wire';
import { checkJob, loadJobFile, runJob, startMaster, writeJobOutputs } from '../../master';
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
    .option('--worker-statefulset <name>', 'admit only pods of this StatefulSet, each as its own ordinal (verified through cluster DNS)')
    .option('--tls-cert <pem>', 'server certificate (enables TLS)')
    .option('--tls-key <pem>', 'server private key')
    .option('--tls-ca <pem>', 'CA for dialing workers over TLS')
    .option('--data-dir <dir>', 'the only folder submitted jobs may read data from (relative paths resolve there; default: the working folder)')
    .option('--insecure', 'allow a non-loopback --host without a cluster token (anyone who reaches the port can submit jobs)')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const token = resolveToken(o.tokenFile as string | undefined);
      const tls = tlsFrom(o as { tlsCa?: string; tlsCert?: string; tlsKey?: string });
      const host = o.host as string;
      const port = parsePort(o.port as string, '--port');
      const metricsPort = parsePort(o.metricsPort as string, '--metrics-port');
      const minWorkers = parsePositiveInt(o.minWorkers as string, '--min-workers');
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
        await m.waitForWorkers(minWorkers, 300_000);
        const result = await runJob(job, { cluster: m.cluster, metrics: m.metrics, log: m.log, historyPath: out.partial('history.jsonl') });
        writeJobOutputs(out.dir, result);
        process.stdout.write(`${result.summary}\nresults in ${out.dir}\n`);
        if (o.exitAfterJob) {
          await m.stop();
          return;
        }
      }
      await untilSignal();
      await m.stop();
    });
}
