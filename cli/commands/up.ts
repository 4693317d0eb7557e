import { Command, Option } from 'commander';
import { startLocalCluster } from '../../launcher';
import { checkLocalWorkers, parseBytes, parsePort, parsePositiveInt, parseSeconds, resolveToken, untilSignal } from '../common';
import { checkPortFree } from '../ports';

export function upCommand(): Command {
  return new Command('up')
    .description('start a local cluster (a master and N workers on 127.0.0.1, as processes of one or more worker services) and keep it up')
    .option('--workers <n>', 'workers', '8')
    .option('--per-process <n>', 'worker services per process (default: 1 up to 32 workers, then enough to stay at 8 processes)')
    .option('--port <n>', 'master gRPC port (0: any free port)', '7070')
    .option('--metrics-port <n>', 'master /metrics port (0: any free port)', '9464')
    .option('--max-workers <n>', 'the most workers it may start (default: what half the available memory holds, at most 1024)')
    .option('--state <dir>', "keep the master's accepted jobs, checkpoints and results here; `coda up` started again on it resumes the unfinished jobs")
    .option('--max-upload-bytes <n>', 'the most bytes of arrays one submitted job may upload (coda run --upload, the Python client), like 4GiB', '4GiB')
    .option('--checkpoint-every <seconds>', 'with --state: seconds between checkpoints of a running job', '2')
    .addOption(new Option('--parent-watch', 'stop the cluster and exit when stdin closes (set by the Python client\'s coda.local)').hideHelp())
    .action(async (o: Record<string, string | undefined>) => {
      const n = parsePositiveInt(o.workers!, '--workers');
      checkLocalWorkers(n, o.maxWorkers, '--workers');
      const port = parsePort(o.port!, '--port');
      const metricsPort = parsePort(o.metricsPort!, '--metrics-port');
      const maxUploadBytes = parseBytes(o.maxUploadBytes!, '--max-upload-bytes');
      await checkPortFree('127.0.0.1', port, '--port');
      await checkPortFree('127.0.0.1', metricsPort, '--metrics-port');
      const token = resolveToken();
      const t0 = Date.now();
      const lc = await startLocalCluster({
        workers: n,
        ...(o.perProcess ? { perProcess: parsePositiveInt(o.perProcess, '--per-process') } : {}),
        timeoutMs: 120_000,
        ...(token ? { token } : {}),
        master: {
          port,
          metricsPort,
          maxUploadBytes,
          ...(o.state ? { stateDir: o.state, checkpoint: { everySeconds: parseSeconds(o.checkpointEvery!, '--checkpoint-every'), everyRounds: Infinity } } : {}),
        },
        workerArgs: ['--metrics-port', '0'],
      });
      process.stdout.write(
        `local cluster up in ${((Date.now() - t0) / 1000).toFixed(1)} s: master ${lc.master.address}, ${n} workers in ${lc.workers.length} processes (pids ${lc.workers.map((w) => w.pid).join(' ')}), ` +
          `metrics http://127.0.0.1:${lc.master.metricsPort}/metrics\n` +
          `submit jobs with: npx coda run JOB.yaml --master ${lc.master.address}\nCtrl-C stops it.\n`,
      );
      await Promise.race([untilSignal(), ...((o as { parentWatch?: boolean }).parentWatch ? [parentGone()] : [])]);
      await lc.stop();
    });
}

/** Resolves when the process that started this one is gone: stdin closed, or re-parented (as worker --parent-watch). */
function parentGone(): Promise<void> {
  return new Promise((resolve) => {
    const ppid = process.ppid;
    process.stdin.on('end', () => resolve());
    process.stdin.on('error', () => resolve());
    process.stdin.resume();
    setInterval(() => process.ppid !== ppid && resolve(), 2000).unref();
  });
}
