import { ClusterError } from '../shared/errors';
import { startMaster, type MasterOptions, type RunningMaster } from '../master/server/master-server';
import { defaultPerProcess, spawnLocalWorkers, stopProcesses, type LocalWorkerProcess } from './local-processes';

export interface LocalCluster {
  master: RunningMaster;
  workers: LocalWorkerProcess[];
  /** Starts a new worker process that asks for `index` (after a kill), and waits until it is alive. */
  restartWorker(index: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A master in this process and N workers on loopback (one process each, or several worker
 * services per process for large clusters), real gRPC between them. Ports
 * are picked free, so clusters can run side by side. stop() leaves no process behind; so does
 * this process dying (the workers watch their stdin).
 */
export async function startLocalCluster(opts: {
  workers: number;
  token?: string;
  master?: Partial<MasterOptions>;
  workerArgs?: string[];
  stderr?: 'inherit' | 'ignore';
  timeoutMs?: number;
  /** Logical workers per process (default: defaultPerProcess(workers)). */
  perProcess?: number;
}): Promise<LocalCluster> {
  const master = await startMaster({ ...(opts.token ? { token: opts.token } : {}), ...opts.master, host: '127.0.0.1', port: opts.master?.port ?? 0 });
  const workers = spawnLocalWorkers(opts.workers, {
    master: master.address,
    perProcess: opts.perProcess ?? defaultPerProcess(opts.workers),
    ...(opts.token ? { token: opts.token } : {}),
    ...(opts.workerArgs ? { args: opts.workerArgs } : {}),
    ...(opts.stderr ? { stderr: opts.stderr } : {}),
  });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // Jobs first (with --state they stay unfinished on disk, to be resumed), then the task
    // streams: workers going away now are not losses.
    master.jobs.stop();
    await master.cluster.close();
    await stopProcesses(workers);
    await master.stop();
  };
  try {
    await master.waitForWorkers(opts.workers, opts.timeoutMs ?? 60_000);
  } catch (e) {
    await stop();
    throw e;
  }
  const restartWorker = async (index: number): Promise<void> => {
    const [p] = spawnLocalWorkers(1, {
      master: master.address,
      ...(opts.token ? { token: opts.token } : {}),
      args: [...(opts.workerArgs ?? []), '--index', String(index)],
      ...(opts.stderr ? { stderr: opts.stderr } : {}),
    });
    workers.push(p!);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new ClusterError(`restarted worker ${index} did not join within 30 s`)), 30_000);
      const check = (w: { index: number }): void => {
        if (w.index !== index) return;
        clearTimeout(t);
        master.registry.off('join', check);
        resolve();
      };
      master.registry.on('join', check);
    });
  };
  return { master, workers, restartWorker, stop };
}
