import { performance } from 'node:perf_hooks';
import { chooseScheme } from '../master';
import { startLocalCluster, type LocalCluster } from '../launcher';
import type { JobSession } from '../master/cluster/job-session';
import { Rng } from '../shared/random';
import { CHANNEL_OPTIONS, channelCredentials, loadProtos, tokenMetadata, type pb } from '../shared/wire';
import { clusterCpuSeconds } from './proc-cpu';
import { median, quantile } from './stats';

/**
 * Scale: one local cluster of `workers` logical workers (8 processes of worker services). The
 * median round of n no-op tasks (one per worker) through Coda's task streams against a bare
 * @grpc/grpc-js fan-out of n unary RunTask calls to the same workers, interleaved in the same
 * run; the cluster's idle CPU over `idleSeconds`; the time from spawning to every worker joined.
 */
export async function benchScale(opts: { workers?: number; sizes?: number[]; rounds?: number; idleSeconds?: number } = {}): Promise<Record<string, unknown>> {
  const workers = opts.workers ?? 256;
  const sizes = (opts.sizes ?? [8, 32, 128, 256]).filter((n) => n <= workers);
  const rounds = opts.rounds ?? 60;
  const idleSeconds = opts.idleSeconds ?? 10;
  const t0 = performance.now();
  const lc = await startLocalCluster({ workers, timeoutMs: 180_000 });
  const startupSeconds = (performance.now() - t0) / 1000;
  const session = await lc.master.cluster.openJob({ kind: 'bench' });
  try {
    // Let the cluster settle (JIT, heartbeat intervals stretched), then measure it idle.
    await new Promise((r) => setTimeout(r, 3000));
    const pids = lc.workers.map((w) => w.pid);
    const cpu0 = clusterCpuSeconds(pids);
    const i0 = performance.now();
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const idleCpu = (clusterCpuSeconds(pids) - cpu0) / ((performance.now() - i0) / 1000);
    const rows = [];
    for (const n of sizes) rows.push(await roundsOf(lc, session, n, rounds));
    return { workers, processes: lc.workers.length, startupSeconds, idleCpuCores: idleCpu, idleSeconds, rounds: rows };
  } finally {
    await session.close();
    await lc.stop();
  }
}

/** Median round of n no-op tasks on the first n workers, Coda vs a bare unary fan-out, interleaved. */
export async function roundsOf(lc: LocalCluster, session: JobSession, n: number, rounds: number): Promise<Record<string, number>> {
  const { worker } = loadProtos();
  const live = session.liveWorkers().slice(0, n);
  const bare: pb.WorkerClient[] = live.map((w) => new worker.coda.v1.Worker(lc.master.registry.get(w)!.address, channelCredentials(), CHANNEL_OPTIONS));
  const plan = chooseScheme('wait-all').plan({ workers: n, blocks: n, blockRows: Array(n).fill(1), rng: new Rng(1) });
  plan.stored = [];
  plan.slots.forEach((s, i) => {
    s.blocks = [];
    s.host = live[i]!;
  });
  const placed = await session.place(`scale-${n}`, plan, { A: { rows: 0, cols: 0, data: new Float64Array(0) }, blockStarts: [0] });
  const bareRound = (): Promise<unknown> =>
    Promise.all(
      bare.map(
        (c, i) =>
          new Promise((resolve, reject) =>
            c.runTask({ jobId: 'bare', round: '1', slot: i, blocks: [], noop: {} }, tokenMetadata(undefined), { deadline: Date.now() + 30_000 }, (e, r) => (e ? reject(e) : resolve(r))),
          ),
      ),
    );
  try {
    for (let i = 0; i < 10; i++) {
      await session.round(placed, { kind: 'noop' });
      await bareRound();
    }
    const coda: number[] = [];
    const raw: number[] = [];
    for (let i = 0; i < rounds; i++) {
      let t = performance.now();
      await session.round(placed, { kind: 'noop' });
      coda.push(performance.now() - t);
      t = performance.now();
      await bareRound();
      raw.push(performance.now() - t);
    }
    return {
      tasks: n,
      codaMedianMs: median(coda),
      codaMinMs: Math.min(...coda),
      codaP90Ms: quantile(coda, 0.9),
      codaMaxMs: Math.max(...coda),
      bareMedianMs: median(raw),
      bareMinMs: Math.min(...raw),
      bareMaxMs: Math.max(...raw),
      ratio: median(coda) / median(raw),
    };
  } finally {
    await session.release(placed);
    bare.forEach((c) => c.close());
  }
}

export function printScale(r: Record<string, unknown>): void {
  console.log(`\nScale: ${r.workers} workers in ${r.processes} processes; up in ${(r.startupSeconds as number).toFixed(1)} s; idle CPU ${(100 * (r.idleCpuCores as number)).toFixed(1)}% of one core over ${r.idleSeconds} s`);
  console.table(
    (r.rounds as Record<string, number>[]).map((x) => ({
      tasks: x.tasks,
      'coda ms (median)': x.codaMedianMs!.toFixed(2),
      'coda min-max': `${x.codaMinMs!.toFixed(1)}-${x.codaMaxMs!.toFixed(1)}`,
      'bare unary ms': x.bareMedianMs!.toFixed(2),
      'bare min-max': `${x.bareMinMs!.toFixed(1)}-${x.bareMaxMs!.toFixed(1)}`,
      ratio: x.ratio!.toFixed(2),
    })),
  );
}
