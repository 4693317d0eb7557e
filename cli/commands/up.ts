import { Command } from 'commander';
import { startLocalCluster } from '../../master';
import { parsePort, parsePositiveInt, resolveToken, untilSignal } from '../common';

export function upCommand(): Command {
  return new Command('up')
    .description('start a local cluster (a master and N worker processes on 127.0.0.1) and keep it up')
    .option('--workers <n>', 'worker processes', '8')
    .option('--port <n>', 'master gRPC port (0: any free port)', '7070')
    .option('--metrics-port <n>', 'master /metrics port (0: any free port)', '9464')
    .action(async (o: Record<string, string>) => {
      const n = parsePositiveInt(o.workers!, '--workers');
      const token = resolveToken();
      const lc = await startLocalCluster({
        workers: n,
        ...(token ? { token } : {}),
        master: { port: parsePort(o.port!), metricsPort: parsePort(o.metricsPort!, '--metrics-port') },
        workerArgs: ['--metrics-port', '0'],
      });
      process.stdout.write(
        `local cluster up: master ${lc.master.address}, ${n} workers (pids ${lc.workers.map((w) => w.pid).join(' ')}), ` +
          `metrics http://127.0.0.1:${lc.master.metricsPort}/metrics\n` +
          `submit jobs with: npx coda run JOB.yaml --master ${lc.master.address}\nCtrl-C stops it.\n`,
      );
      await untilSignal();
      await lc.stop();
    });
}
