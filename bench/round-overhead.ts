import { startLocalCluster } from '../launcher';
import { availableCpus } from '../shared/kernels';
import { BareFanout } from './bare-rounds';
import { printRounds, roundsOf, type RoundsRow } from './scale';

/**
 * `npm run bench -- round-overhead`: the round of n no-op tasks (one per worker, n = 1, 8, 32) on
 * a 32-worker cluster, Coda's task streams against the anchor, a bare bidi-stream fan-out in the
 * same layout, and a bare unary fan-out to Coda's workers (second column), interleaved round by
 * round (the measurement of `scale`). Two layouts, each with its own anchor: one process per
 * worker (32 processes), and one process per core (workers / cores services a process).
 */
export async function benchRoundOverhead(opts: { sizes?: number[]; repeats?: number; rounds?: number } = {}): Promise<Record<string, unknown>> {
  const sizes = opts.sizes ?? [1, 8, 32];
  const workers = Math.max(...sizes);
  const repeats = opts.repeats ?? 5;
  const rounds = opts.rounds ?? 60;
  const layouts = [
    { name: 'one process per worker', perProcess: 1 },
    { name: 'one process per core', perProcess: Math.ceil(workers / availableCpus()) },
  ];
  const out = [];
  for (const layout of layouts) {
    const lc = await startLocalCluster({ workers, perProcess: layout.perProcess, timeoutMs: 120_000 });
    const session = await lc.master.cluster.openJob({ kind: 'bench' });
    let fan: BareFanout | undefined;
    try {
      fan = await BareFanout.start(workers, layout.perProcess);
      const rows: RoundsRow[] = [];
      for (const n of sizes) rows.push(await roundsOf(lc, session, fan, n, repeats, rounds));
      out.push({ layout: layout.name, processes: lc.workers.length, perProcess: layout.perProcess, rows });
    } finally {
      fan?.close();
      await session.close();
      await lc.stop();
    }
  }
  return { workers, repeats, roundsPerRepeat: rounds, layouts: out };
}

export function printRoundOverhead(r: Record<string, unknown>): void {
  for (const l of r.layouts as { layout: string; processes: number; perProcess: number; rows: RoundsRow[] }[]) {
    console.log(`\nRound overhead, ${l.layout} (${l.processes} processes of ${l.perProcess}): medians of ${r.repeats} windows of ${r.roundsPerRepeat} rounds (min–max over windows); Coda, bare bidi stream (anchor) and bare unary interleaved`);
    printRounds(l.rows);
  }
}
