import { expect } from 'vitest';
import { startLocalCluster, type LocalCluster } from '../../launcher';

/** True while a process with this pid exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `predicate` until true or timeout (instead of sleeping a guessed time). */
export async function pollFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The one cluster fixture: a master in this process and N real worker processes on loopback.
 * Tears down after `fn` and fails the test if a worker process was left behind.
 */
export async function withLocalCluster<T>(
  opts: Parameters<typeof startLocalCluster>[0],
  fn: (lc: LocalCluster) => Promise<T>,
): Promise<T> {
  const lc = await startLocalCluster(opts);
  try {
    return await fn(lc);
  } finally {
    await lc.stop();
    const left = lc.workers.filter((w) => processAlive(w.pid)).map((w) => w.pid);
    expect(left, 'worker processes left behind').toEqual([]);
  }
}
