import { startLocalCluster } from '../launcher';
import { roundsOf } from './scale';

/**
 * Round overhead on a small cluster: the median round of n no-op tasks (one per worker) through
 * Coda's task streams against a bare @grpc/grpc-js fan-out of n unary RunTask calls to the same
 * workers, interleaved in the same run (the same measurement as `scale`, at 1, 8 and 32 workers).
 */
export async function benchRoundOverhead(sizes = [1, 8, 32], rounds = 300): Promise<Record<string, unknown>[]> {
  const lc = await startLocalCluster({ workers: Math.max(...sizes), timeoutMs: 120_000 });
  const session = await lc.master.cluster.openJob({ kind: 'bench' });
  try {
    const rows = [];
    for (const n of sizes) rows.push({ workers: n, ...(await roundsOf(lc, session, n, rounds)) });
    return rows;
  } finally {
    await session.close();
    await lc.stop();
  }
}
