/**
 * Local clusters and chaos: a master and N worker processes on 127.0.0.1, faults by signal to
 * those processes, and container chaos beside a compose cluster (`coda chaos`). Above the master:
 * it starts the master in this process and the workers as processes (never imports the worker).
 *
 *   const lc = await startLocalCluster({ workers: 8 });
 *   const out = await runJob(job, { cluster: lc.master.cluster, metrics: lc.master.metrics, log: lc.master.log,
 *                                   chaos: { processes: processChaos({ restart: (i) => lc.restartWorker(i) }) } });
 *   await lc.stop();
 */
export { startLocalCluster, type LocalCluster } from './local-cluster';
export { spawnLocalWorkers, stopProcesses, cliEntry, defaultMaxWorkers, LOCAL_WORKERS_LIMIT } from './local-processes';
export { processChaos, ProcessScheduleExecutor, checkProcessSchedule, type ProcessControl } from './chaos/process-chaos';
