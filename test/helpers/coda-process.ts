import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { processAlive } from './cluster-fixture';

/** bin/coda.js: the CLI as a user runs it (cluster tests run the built dist/). */
export const CODA_BIN = resolve(__dirname, '../../bin/coda.js');

/** A `coda` process: its output (stdout and stderr interleaved) and how it ended. */
export interface CodaProcess {
  child: ChildProcess;
  output: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `coda` processes for one test file and stops them: `start(args, cwd?, env?)` spawns one
 * (CODA_LOG_LEVEL=info unless `env` says otherwise); `stopAll()` (an afterEach/afterAll) kills
 * the ones still running with SIGKILL and returns the pids that outlived it (none, in a test that
 * cleans up).
 */
export function codaProcesses(baseEnv: NodeJS.ProcessEnv = {}): { start(args: string[], cwd?: string, env?: NodeJS.ProcessEnv): CodaProcess; stopAll(): Promise<number[]> } {
  const procs: CodaProcess[] = [];
  return {
    start(args, cwd, env = {}) {
      const child = spawn(process.execPath, [CODA_BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CODA_LOG_LEVEL: 'info', ...baseEnv, ...env } });
      let text = '';
      child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
      const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
      const p = { child, output: () => text, exit };
      procs.push(p);
      return p;
    },
    async stopAll() {
      const left: number[] = [];
      for (const p of procs.splice(0)) {
        if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
        await p.exit;
        if (processAlive(p.child.pid!)) left.push(p.child.pid!);
      }
      return left;
    },
  };
}
