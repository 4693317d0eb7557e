import { createHash } from 'node:crypto';
import { Command } from 'commander';
import { readJobText } from '../../shared/config';
import { ClusterError, CodaError, InputError } from '../../shared/errors';
import { joinHostPort } from '../../shared/wire';
import { checkJob, loadJobFile, startMaster, writeJobOutputs } from '../../master';
import { parseBytes, parsePort, parsePositiveInt, parseSeconds, resolveToken, tlsFrom, untilSignal } from '../common';
import { settledWorkerCount } from '../dns-workers';
import { prepareOutputDir } from '../output-dir';
import { checkPortFree } from '../ports';

/** A Kubernetes object name that is one DNS label (RFC 1123). */
const DNS_LABEL = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function masterCommand(): Command {
  return new Command('master')
    .description('start a master: worker registry, parameter store, job submission (coda run --master); optionally run one job itself')
    .option('--host <addr>', 'interface to bind', '0.0.0.0')
    .option('--port <n>', 'gRPC port', '7070')
    .option('--metrics-port <n>', 'serve Prometheus /metrics on this port', '9464')
    .option('--job <file>', 'run this job file once enough workers have joined')
    .option('--min-workers <n>', 'workers to wait for before running --job', '4')
    .option('--workers-from-dns <name>', 'with --job: run it on as many workers as this DNS name has addresses (at least --min-workers), once that count holds still and every one has registered (compose: the service name, so --scale reaches the job)')
    .option('--workers-settle <seconds>', 'with --workers-from-dns: how long the count must hold still', '3')
    .option('--out <dir>', "override the job's output folder")
    .option('--exit-after-job', 'exit when the --job finishes (exit code 0 on success)')
    .option('--token-file <path>', 'file holding the cluster token (default: $CODA_TOKEN)')
    .option('--worker-wait <seconds>', "how long a submitted job waits for its `workers` to join", '300')
    .option('--state <dir>', 'keep every accepted job, its checkpoints and its result in this folder; a master restarted on it resumes the unfinished jobs')
    .option('--checkpoint-every <seconds>', 'with --state: seconds between checkpoints of a running job', '2')
    .option('--worker-statefulset <name>', 'admit only pods of this StatefulSet, each as its own ordinal (verified through cluster DNS)')
    .option('--worker-service <name>', "with --worker-statefulset: the StatefulSet's headless Service (default: the StatefulSet's name)")
    .option('--worker-namespace <ns>', 'with --worker-statefulset: the pods\' namespace, to admit their full names <pod>.<service>.<ns>[.svc[.<domain>]] (default: $POD_NAMESPACE; unset: only <pod>.<service>)')
    .option('--cluster-domain <domain>', 'with --worker-namespace: the cluster\'s DNS domain', 'cluster.local')
    .option('--tls-cert <pem>', 'server certificate (enables TLS)')
    .option('--tls-key <pem>', 'server private key')
    .option('--tls-ca <pem>', 'CA for dialing workers over TLS')
    .option('--data-dir <dir>', 'the only folder submitted jobs may read data from (relative paths resolve there; default: the working folder)')
    .option('--max-upload-bytes <n>', 'the most bytes of arrays one submitted job may upload (coda run --upload, the Python client), like 4GiB', '4GiB')
    .option('--insecure', 'allow a non-loopback --host without a cluster token (anyone who reaches the port can submit jobs)')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const token = resolveToken(o.tokenFile as string | undefined);
      const tls = tlsFrom(o as { tlsCa?: string; tlsCert?: string; tlsKey?: string });
      const host = o.host as string;
      const port = parsePort(o.port as string, '--port');
      const metricsPort = parsePort(o.metricsPort as string, '--metrics-port');
      const minWorkers = parsePositiveInt(o.minWorkers as string, '--min-workers');
      const maxUploadBytes = parseBytes(o.maxUploadBytes as string, '--max-upload-bytes');
      const workerWaitSeconds = parseSeconds(o.workerWait as string, '--worker-wait');
      const dnsName = o.workersFromDns as string | undefined;
      const settleSeconds = parseSeconds(o.workersSettle as string, '--workers-settle');
      if (dnsName !== undefined && !o.job) throw new InputError('--workers-from-dns counts the workers of the master\'s own --job: give --job (a submitted job: coda run --workers-from-dns)');
      // Everything checked before anything starts: the job, the flags, the ports, the output folder.
      const job = o.job ? loadJobFile(o.job as string) : undefined;
      if (job) checkJob(job, minWorkers);
      const statefulSet = o.workerStatefulset as string | undefined;
      const workerService = o.workerService as string | undefined;
      const workerNamespace = (o.workerNamespace as string | undefined) ?? (process.env.POD_NAMESPACE || undefined);
      const clusterDomain = o.clusterDomain as string;
      for (const [flag, value] of [['--worker-statefulset', statefulSet], ['--worker-service', workerService], ['--worker-namespace', workerNamespace]] as const) {
        if (value !== undefined && !DNS_LABEL.test(value)) throw new InputError(`${flag} must be a DNS label (lower-case letters, digits, '-', at most 63), got '${value}'`);
      }
      if (!/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(clusterDomain)) throw new InputError(`--cluster-domain must be a DNS name, got '${clusterDomain}'`);
      if (statefulSet === undefined && (o.workerService !== undefined || o.workerNamespace !== undefined)) {
        throw new InputError('--worker-service and --worker-namespace need --worker-statefulset');
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
          workerWaitSeconds,
          dataDir: (o.dataDir as string | undefined) ?? process.cwd(),
          insecure: o.insecure === true,
          maxUploadBytes,
          ...(o.state ? { stateDir: o.state as string, checkpoint: { everySeconds: parseSeconds(o.checkpointEvery as string, '--checkpoint-every'), everyRounds: Infinity } } : {}),
          ...(statefulSet ? { workerStatefulSet: statefulSet, clusterDomain, ...(workerService ? { workerService } : {}), ...(workerNamespace ? { workerNamespace } : {}) } : {}),
          ...(token ? { token } : {}),
          ...(tls ? { tls } : {}),
        });
      } catch (e) {
        out?.abandon();
        throw e;
      }
      process.stdout.write(`master listening on ${joinHostPort(o.host as string, m.port)} (metrics on ${m.metricsPort})\n`);
      if (job && out) {
        let workers = minWorkers;
        if (dnsName !== undefined) {
          const registry = m.registry;
          m.log.info({ name: dnsName, min: minWorkers }, 'counting the workers behind a DNS name');
          try {
            workers = await settledWorkerCount(dnsName, {
              min: minWorkers,
              settleMs: settleSeconds * 1000,
              timeoutMs: workerWaitSeconds * 1000,
              pollMs: 250,
              registered: () => registry.alive().length,
              onWait: (msg) => m!.log.info(msg),
            });
            checkJob(job, workers);
          } catch (e) {
            out.abandon();
            await m.stop();
            throw e;
          }
        }
        m.log.info({ workers }, 'waiting for workers');
        // The master's own job goes through its job manager like a submitted one, under an id
        // from its text: with --state, a master restarted with the same --job resumes it (or,
        // if it finished, writes its kept result again).
        const text = readJobText(o.job as string);
        const id = `master-job-${createHash('sha256').update(`${text}\n${workers}`).digest('hex').slice(0, 16)}`;
        const managed = m.jobs.submit(text, id, { workers, origin: 'master-job', baseDir: process.cwd() });
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
