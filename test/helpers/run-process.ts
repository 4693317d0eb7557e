import { spawn, type SpawnOptions } from 'node:child_process';

export interface ProcessResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Set when the process could not start or outlived `timeoutMs` (then it was killed). */
  error?: Error;
}

/**
 * spawnSync's result without blocking the test's thread: a long spawnSync stalls the vitest
 * worker's event loop, whose calls back to the runner then time out ("Timeout calling
 * onTaskUpdate") and fail the whole run, whatever the test's outcome.
 */
export function runProcess(command: string, args: readonly string[], opts: SpawnOptions & { timeoutMs?: number } = {}): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let error: Error | undefined;
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            error = new Error(`${command} ${args.join(' ')}: still running after ${opts.timeoutMs} ms; killed`);
            child.kill('SIGKILL');
          }, opts.timeoutMs);
    child.on('error', (e) => (error = e));
    child.on('close', (status, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, ...(error ? { error } : {}) });
    });
  });
}
