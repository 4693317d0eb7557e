import { Command, Option } from 'commander';
import { describeKernels, kernelOptionsFrom, openKernels } from '../kernels';
import { startWorker } from '../../worker';
import { parsePort, resolveToken, tlsFrom, untilSignal } from '../common';

export function workerCommand(): Command {
  return new Command('worker')
    .description('start a worker: a gRPC server that stores blocks and runs tasks for a master')
    .requiredOption('--master <host:port>', 'the master to register with')
    .option('--host <addr>', 'interface to bind (0.0.0.0 in containers)', '127.0.0.1')
    .option('--port <n>', 'port to bind; 0 picks a free one', '0')
    .option('--advertise <host:port>', 'address the master should dial (default: bound host and port)')
    .option('--index <n>', 'worker index to request, e.g. a StatefulSet ordinal (default: the master picks)')
    .option('--metrics-port <n>', 'serve Prometheus /metrics on this port (0: any free port)')
    .option('--token-file <path>', 'file holding the cluster token (default: $CODA_TOKEN)')
    .option('--exit-on-master-loss <seconds>', 'exit when the master is unreachable this long (0: never)', '0')
    .option('--tls-cert <pem>', 'server certificate (enables TLS)')
    .option('--tls-key <pem>', 'server private key')
    .option('--tls-ca <pem>', 'CA for dialing the master over TLS')
    .option('--kernels <backend>', 'kernel backend: native (OpenBLAS) or js (plain loops) (default: $CODA_KERNELS, else native when built)')
    .option('--threads <n>', 'BLAS threads (default: $CODA_THREADS, else 1 in a local cluster, the container\'s CPUs otherwise)')
    .addOption(new Option('--parent-watch', 'exit when stdin closes (set by local clusters)').hideHelp())
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const token = resolveToken(o.tokenFile as string | undefined);
      const tls = tlsFrom(o as { tlsCa?: string; tlsCert?: string; tlsKey?: string });
      const kernels = openKernels(kernelOptionsFrom({ kernels: o.kernels as string | undefined, threads: o.threads as string | undefined }, process.env, o.parentWatch === true));
      // Hostname in StatefulSets ends with the ordinal (coda-worker-3): take it as the index.
      let index = o.index !== undefined ? Number(o.index) : -1;
      if (o.index === 'ordinal') index = Number(/-(\d+)$/.exec(process.env.HOSTNAME ?? '')?.[1] ?? -1);
      // Local clusters: exit with the parent, however it died. stdin closing is the fast signal;
      // a changed ppid (re-parented to init or a subreaper) catches the case where another
      // process still holds our stdin's other end.
      const parentGone = new Promise<string>((resolve) => {
        if (!o.parentWatch) return;
        const ppid = process.ppid;
        process.stdin.on('end', () => resolve('parent exited'));
        process.stdin.on('error', () => resolve('parent exited'));
        process.stdin.resume();
        setInterval(() => process.ppid !== ppid && resolve('parent exited'), 500).unref();
      });
      // Until the worker is up there is nothing to drain: leave at once if the parent goes.
      let started = false;
      void parentGone.then(() => !started && process.exit(0));
      const w = await startWorker({
        master: o.master as string,
        host: o.host as string,
        port: parsePort(o.port as string),
        kernels: kernels.kernels,
        index,
        masterLossExitSeconds: Number(o.exitOnMasterLoss),
        ...(o.advertise ? { advertise: o.advertise as string } : {}),
        ...(o.metricsPort !== undefined ? { metricsPort: parsePort(o.metricsPort as string, '--metrics-port') } : {}),
        ...(token ? { token } : {}),
        ...(tls ? { tls } : {}),
      });
      started = true;
      process.stdout.write(`worker ${w.index} listening on ${w.address}, kernels: ${describeKernels(kernels)}\n`);
      await Promise.race([untilSignal(), parentGone]);
      await w.drain(5000);
    });
}
