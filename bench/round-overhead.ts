import { performance } from 'node:perf_hooks';
import { startLocalCluster, lookupScheme } from '../master';
import { Rng } from '../shared/random';
import { CHANNEL_OPTIONS, channelCredentials, loadProtos, tokenMetadata, type pb } from '../shared/wire';
import { median, quantile } from './stats';

/**
 * Round overhead: median wall time of a round of no-op tasks to N workers through Coda's
 * dispatcher (plan, round state machine, cancellation bookkeeping, metrics), against a bare
 * @grpc/grpc-js fan-out of the same unary RunTask calls to the same workers, interleaved in the
 * same run so both see the same machine load.
 */
export async function benchRoundOverhead(sizes = [1, 8, 32], rounds = 300): Promise<Record<string, unknown>[]> {
  const maxN = Math.max(...sizes);
  const lc = await startLocalCluster({ workers: maxN, timeoutMs: 120_000 });
  const rows: Record<string, unknown>[] = [];
  const session = await lc.master.cluster.openJob({ kind: 'bench' });
  try {
    const { worker } = loadProtos();
    const workers = lc.master.registry.alive();
    const bare: pb.WorkerClient[] = workers.map((w) => new worker.coda.v1.Worker(w.address, channelCredentials(), CHANNEL_OPTIONS));
    for (const n of sizes) {
      const scheme = lookupScheme('wait-all');
      const plan = scheme.plan({ workers: n, blocks: n, blockRows: Array(n).fill(1), rng: new Rng(1), params: {} });
      plan.stored = [];
      plan.slots.forEach((s) => (s.blocks = []));
      const placed = await session.place(`bench-${n}`, plan, { A: { rows: 0, cols: 0, data: new Float64Array(0) }, blockStarts: [0] });
      const bareRound = (): Promise<unknown> =>
        Promise.all(
          bare.slice(0, n).map(
            (c, i) =>
              new Promise((resolve, reject) =>
                c.runTask({ jobId: 'bare', round: '1', slot: i, blocks: [], noop: {} }, tokenMetadata(undefined), { deadline: Date.now() + 10_000 }, (e, r) => (e ? reject(e) : resolve(r))),
              ),
          ),
        );
      // Warm up connections and JIT on both paths.
      for (let i = 0; i < 30; i++) {
        await session.round(placed, { kind: 'noop' });
        await bareRound();
      }
      const coda: number[] = [];
      const raw: number[] = [];
      for (let i = 0; i < rounds; i++) {
        let t = performance.now();
        await session.round(placed, { kind: 'noop' });
        coda.push((performance.now() - t) / 1000);
        t = performance.now();
        await bareRound();
        raw.push((performance.now() - t) / 1000);
      }
      const mc = median(coda);
      const mr = median(raw);
      rows.push({
        workers: n,
        codaMedianMs: mc * 1000,
        codaP90Ms: quantile(coda, 0.9) * 1000,
        bareMedianMs: mr * 1000,
        bareP90Ms: quantile(raw, 0.9) * 1000,
        ratio: mc / mr,
        rounds,
      });
    }
    bare.forEach((c) => c.close());
  } finally {
    await session.close();
    await lc.stop();
  }
  return rows;
}
