import { Command, Option } from 'commander';
import { InputError } from '../../shared/errors';
import { parseHostPort } from '../../shared/wire';
import { describeKernels, kernelOptionsFrom, openKernels } from '../kernels';
import { startWorker, type ComputeMode } from '../../worker';
import { parsePort, parsePositiveInt, parseSeconds, resolveToken, tlsFrom, untilSignal } from '../common';
import { checkPortFree } from '../ports';

export function workerCommand(): Command {
  return new Command('worker')
    .description('start a worker: a gRPC server that stores blocks and runs tasks for a master')
    .requiredOption('--master <host:port>', 'the master to register with')
    .option('--host <addr>', 'interface to bind (0.0.0.0 in containers)', '127.0.0.1')
    .option('--port <n>', 'port to bind; 0 picks a free one', '0')
    .option('--bulk-port <n>', 'port of the bulk channel blocks are placed over as raw bytes (0: any free one; not under TLS)', '0')
    .option('--no-bulk', 'no bulk channel: blocks come through gRPC LoadBlocks only')
    .option('--advertise <host:port>', 'address the master should dial (default: bound host and port)')
    .option('--index <n>', 'worker index to request, e.g. a StatefulSet ordinal (default: the master picks)')
    .option('--metrics-port <n>', 'serve Prometheus /metrics on this port (0: any free port)')
    .option('--token-file <path>', 'file holding the cluster token (default: $CODA_TOKEN)')
    .option('--services <n>', 'worker services in this process, each with its own port, index, blocks and chaos stream (many logical workers on few cores)', '1')
    .option('--exit-on-master-loss <seconds>', 'exit when the master is unreachable this long (0: never)', '0')
    .option('--register-timeout <seconds>', 'give up when the master has not taken this worker in after this long (0: keep trying with backoff; default 0, or 30 under a local cluster)')
    .option('--tls-cert <pem>', 'server certificate (enables TLS)')
    .option('--tls-key <pem>', 'server private key')
    .option('--tls-ca <pem>', 'CA for dialing the master over TLS')
    .option('--kernels <backend>', 'kernel backend: native (OpenBLAS) or js (plain loops) (default: $CODA_KERNELS, else native when built)')
    .option('--threads <n>', 'OpenBLAS threads of this process, set once, shared by its services\' compute threads (default: $CODA_THREADS, else 1 with --services > 1 or in a local cluster, the container\'s CPUs otherwise)')
    .addOption(new Option('--loop-compute <class>', 'scheduling class of AsyncEigenPro steps: ordinary, or idle (SCHED_IDLE: slice reads preempt them at once; only where nothing else in the cgroup or session computes)').choices(['ordinary', 'idle']).default('ordinary'))
    .addOption(new Option('--compute <where>', 'where a service computes: thread (its own compute thread) or inline (on the event loop: the reference, for comparisons)').choices(['thread', 'inline']).default('thread'))
    .addOption(new Option('--parent-watch', 'exit when stdin closes (set by local clusters)').hideHelp())
    .action(async (o: Record<string, string | boolean | undefined>) => {
      // An address that can never be dialed is refused now; one that parses is waited for.
      parseHostPort(o.master as string, '--master');
      if (o.advertise) parseHostPort(o.advertise as string, '--advertise');
      const token = resolveToken(o.tokenFile as string | undefined);
      const tls = tlsFrom(o as { tlsCa?: string; tlsCert?: string; tlsKey?: string });
      const services = parsePositiveInt(o.services as string, '--services');
      // OpenBLAS's thread count is the process's: with several services, each computing on its own
      // thread, one BLAS thread each (a shared machine), unless said otherwise.
      const kernels = openKernels(kernelOptionsFrom({ kernels: o.kernels as string | undefined, threads: o.threads as string | undefined }, process.env, o.parentWatch === true || services > 1));
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
        setInterval(() => process.ppid !== ppid && resolve('parent exited'), 2000).unref();
      });

      const port = parsePort(o.port as string, '--port');
      await checkPortFree(o.host as string, port, '--port');
      if (o.metricsPort !== undefined && services === 1) await checkPortFree(o.host as string, parsePort(o.metricsPort as string, '--metrics-port'), '--metrics-port');
      const registerTimeoutSeconds = parseSeconds((o.registerTimeout as string | undefined) ?? (o.parentWatch ? '30' : '0'), '--register-timeout');
      if (services > 1 && (o.advertise || (o.port !== undefined && o.port !== '0'))) {
        throw new InputError('--services > 1 needs --port 0 and no --advertise (each service binds its own port)');
      }
      const bulkPort = o.bulk === false ? null : parsePort(o.bulkPort as string, '--bulk-port');
      if (services > 1 && bulkPort) throw new InputError('--services > 1 needs --bulk-port 0 (each service binds its own port)');
      if (bulkPort && !tls) await checkPortFree(o.host as string, bulkPort, '--bulk-port');
      // Several services start side by side: each registers on its own, with its own index. Until
      // they are up there is nothing to drain: a parent gone meanwhile ends the command at once.
      const starting = Promise.all(
        Array.from({ length: services }, (_, i) =>
          startWorker({
            master: o.master as string,
            host: o.host as string,
            port,
            bulkPort,
            kernels: kernels.kernels,
            kernelAddon: kernels.addon,
            compute: o.compute as ComputeMode,
            loopCompute: o.loopCompute as 'ordinary' | 'idle',
            // A crash fault ends one service of several, the process when it is alone.
            crashEnds: services > 1 ? 'service' : 'process',
            index: index >= 0 ? index + i : -1,
            masterLossExitSeconds: Number(o.exitOnMasterLoss),
            // A standalone worker waits for its master as long as it takes (Kubernetes starts the
            // pods in any order); one under a local cluster gives up, as its parent would have.
            registerTimeoutSeconds,
            ...(o.advertise ? { advertise: o.advertise as string } : {}),
            ...(o.metricsPort !== undefined ? { metricsPort: services > 1 ? 0 : parsePort(o.metricsPort as string, '--metrics-port') } : {}),
            ...(token ? { token } : {}),
            ...(tls ? { tls } : {}),
          }),
        ),
      );
      const ws = await Promise.race([starting, parentGone.then(() => undefined)]);
      if (!ws) return;
      for (const w of ws) process.stdout.write(`worker ${w.index} listening on ${w.address}, kernels: ${describeKernels(kernels)}\n`);
      // Every service crashed (injected faults): the process has nothing left to serve and ends as a crash would.
      void Promise.all(ws.map((w) => w.crashed)).then(() => process.kill(process.pid, 'SIGKILL'));
      const lost = await Promise.race([untilSignal().then(() => undefined), parentGone.then(() => undefined), ...ws.map((w) => w.masterLost)]);
      // Within Kubernetes' and docker's grace period, with room to spare: a task still running
      // after 1 s is the master's to redo or decode around.
      await Promise.all(ws.map((w) => w.drain(1000)));
      // The master gone for good: exit 3 through the CLI's one exit path.
      if (lost) throw lost;
    });
}
