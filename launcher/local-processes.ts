import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ClusterError } from '../shared/errors';

/** The `coda` executable (bin/coda.js, which needs dist/), found whether we run from dist/ or the sources. */
export function cliEntry(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) {
      if (!existsSync(join(dir, 'dist', 'cli', 'main.js'))) {
        throw new ClusterError(`${join(dir, 'dist')} is missing: run \`npm run build\` first`);
      }
      return join(dir, 'bin', 'coda.js');
    }
    dir = dirname(dir);
  }
  throw new ClusterError(`cannot find the package root above ${__dirname}`);
}

export interface LocalWorkerProcess {
  child: ChildProcess;
  pid: number;
}

export interface SpawnOptions {
  master: string;
  token?: string;
  /** Extra CLI flags for each worker. */
  args?: string[];
  /** Where workers' stderr goes: 'inherit' for a terminal, 'ignore' (default) otherwise. */
  stderr?: 'inherit' | 'ignore';
  logLevel?: string;
  /** Worker services per process (logical workers): several share one Node process. */
  perProcess?: number;
}

/**
 * Logical workers per process when not asked: one up to 32 workers (pause and kill chaos act on
 * exactly one worker), then as many as keep the cluster at 8 processes, so 256 or 500 workers
 * start in seconds and a round wakes few processes (measured on 2 cores: a 256-task round cost the
 * workers 101 ms of CPU in 32 processes, 50 ms in 8).
 */
export function defaultPerProcess(workers: number): number {
  return workers <= 32 ? 1 : Math.ceil(workers / 8);
}

/**
 * Memory a local cluster takes before any data: a Node process costs about 80 MB (measured: 8
 * worker processes 634 MB; 64 workers in 8 processes 637 MB; 256 in 8, 650 MB), a worker service
 * inside one about 1 MB with its streams.
 */
const PROCESS_BYTES = 80e6;
const SERVICE_BYTES = 1e6;
/** Beyond this many, a local cluster's ports, sockets and file descriptors are the limit, not memory. */
export const LOCAL_WORKERS_LIMIT = 1024;

/**
 * The most workers a local cluster may start on a machine with `availableBytes` free: half the
 * memory for the processes (the rest for the data), and never more than LOCAL_WORKERS_LIMIT.
 */
export function defaultMaxWorkers(availableBytes: number): number {
  // A bound that only grows with n (as if up to 32 ran a process each), so the cap is a threshold.
  const bound = (n: number): number => Math.min(n, 32) * PROCESS_BYTES + n * SERVICE_BYTES;
  let n = 0;
  while (n < LOCAL_WORKERS_LIMIT && bound(n + 1) <= availableBytes / 2) n++;
  return n;
}

/**
 * Starts n workers on 127.0.0.1 as processes of `perProcess` worker services each (all at once,
 * so a large cluster starts in parallel), each service on a free port it picks itself. Each child watches
 * its stdin: when this process dies (even by SIGKILL) the pipe closes and the child exits, so a
 * local cluster never outlives its parent.
 */
export function spawnLocalWorkers(n: number, opts: SpawnOptions): LocalWorkerProcess[] {
  const entry = cliEntry();
  const out: LocalWorkerProcess[] = [];
  const per = Math.max(1, opts.perProcess ?? 1);
  for (let i = 0; i < n; i += per) {
    const services = Math.min(per, n - i);
    const child = spawn(
      process.execPath,
      [entry, 'worker', '--master', opts.master, '--host', '127.0.0.1', '--port', '0', '--parent-watch', '--exit-on-master-loss', '60', '--services', String(services), ...(opts.args ?? [])],
      {
        stdio: ['pipe', 'ignore', opts.stderr ?? 'ignore'],
        env: {
          ...process.env,
          ...(opts.token ? { CODA_TOKEN: opts.token } : {}),
          CODA_LOG_LEVEL: opts.logLevel ?? process.env.CODA_LOG_LEVEL ?? 'warn',
        },
      },
    );
    if (child.pid === undefined) throw new ClusterError('could not start a worker process');
    out.push({ child, pid: child.pid });
  }
  return out;
}

/** Kills the processes (SIGTERM, then SIGKILL after graceMs) and waits for them to exit. */
export async function stopProcesses(procs: LocalWorkerProcess[], graceMs = 3000): Promise<void> {
  await Promise.all(
    procs.map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
          const t = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
          p.child.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
          p.child.kill('SIGTERM');
        }),
    ),
  );
}
