import { performance } from 'node:perf_hooks';
import { startLocalCluster } from '../launcher';
import { chooseScheme } from '../core/schemes';
import { WorkerConnection } from '../master/cluster/worker-client';
import { Rng } from '../shared/random';
import { processRssMb } from './proc-cpu';
import { median } from './stats';

/**
 * One process of 32 worker services: the median no-op round to 31 of them while they are all idle,
 * against the same round while the 32nd runs a long task (a Gram of about LONG seconds), with the
 * services computing on their own threads (`--compute thread`) and on the event loop (`inline`,
 * the before). The goal: with threads, the busy round within 2× the idle one. On the
 * event loop, a round sent while the long task computes waits for it.
 *
 *   npm run bench -- services       (MODES=thread,inline ROUNDS=200 REPS=5 LONG=2 KERNELS=native)
 */
const MODES = (process.env.MODES ?? 'thread,inline').split(',');
const ROUNDS = Number(process.env.ROUNDS ?? 200);
const REPS = Number(process.env.REPS ?? 5);
const LONG = Number(process.env.LONG ?? 2);
// The plain loops by default: a Gram of seconds on them is a block of tens of MB (on OpenBLAS, GBs).
const KERNELS = process.env.KERNELS ?? 'js';
const SERVICES = 32;
const COLS = 400;

interface ModeRow {
  mode: string;
  idleMedianMs: number;
  busyMedianMs: number;
  busyRounds: number;
  ratio: number;
  longTaskSeconds: number;
  /** The process's resident memory with every service's thread started (inline: none), the long task's block included. */
  rss: string;
}

/** Rows of the long task's block, sized in the first mode and kept for the others (the same task, the same memory). */
let longRows: number | undefined;

async function benchMode(mode: string): Promise<ModeRow> {
  const lc = await startLocalCluster({ workers: SERVICES, perProcess: SERVICES, stderr: 'ignore', workerArgs: ['--compute', mode, '--kernels', KERNELS], timeoutMs: 120_000 });
  const session = await lc.master.cluster.openJob({ kind: 'bench' });
  const [busy, ...rest] = session.liveWorkers();
  const n = rest.length;
  const plan = chooseScheme('wait-all').plan({ workers: n, blocks: n, blockRows: Array(n).fill(1), rng: new Rng(1) });
  plan.stored = [];
  plan.slots.forEach((s, i) => {
    s.blocks = [];
    s.host = rest[i]!;
  });
  const placed = await session.place('services', plan, { A: { rows: 0, cols: 0, data: new Float64Array(0) }, blockStarts: [0] });
  const w = lc.master.registry.get(busy!)!;
  const conn = new WorkerConnection(w.index, w.address, undefined);
  const gram = (id: number): Promise<unknown> => conn.runTask({ jobId: 'long', round: '1', slot: 0, work: 1, blocks: [{ blockId: id, weight: 1 }], gram: {} }, 600).promise;
  const block = (id: number, rows: number) => ({ id, rows, cols: COLS, rowOffset: 0, data: Float64Array.from({ length: rows * COLS }, (_, i) => Math.sin(i)) });
  try {
    let t = 0;
    if (longRows === undefined) {
      // Size the long task: the fastest of three Grams of 2000 rows, scaled to LONG seconds.
      await conn.placeBlocks('long', [block(0, 2000)]);
      await gram(0);
      let best = Infinity;
      for (let i = 0; i < 3; i++) {
        t = performance.now();
        await gram(0);
        best = Math.min(best, (performance.now() - t) / 1000);
      }
      await conn.dropBlocks('long', [0]);
      longRows = Math.max(2000, Math.round((2000 * LONG) / best));
    }
    await conn.placeBlocks('long', [block(1, longRows)]);
    for (let i = 0; i < 50; i++) await session.round(placed, { kind: 'noop' });
    const idle: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      t = performance.now();
      await session.round(placed, { kind: 'noop' });
      idle.push(performance.now() - t);
    }
    const during: number[] = [];
    const longs: number[] = [];
    for (let r = 0; r < REPS; r++) {
      let running = true;
      const t0 = performance.now();
      const long = gram(1).then(() => {
        running = false;
        longs.push((performance.now() - t0) / 1000);
      });
      while (running) {
        t = performance.now();
        await session.round(placed, { kind: 'noop' });
        // Only rounds that ended while the long task still ran.
        if (running) during.push(performance.now() - t);
      }
      await long;
    }
    const rss = processRssMb(lc.workers.map((p) => p.pid));
    return {
      mode,
      idleMedianMs: median(idle),
      busyMedianMs: during.length ? median(during) : Number.NaN,
      busyRounds: during.length,
      ratio: during.length ? median(during) / median(idle) : Number.NaN,
      longTaskSeconds: median(longs),
      rss: `${rss.toFixed(0)} MB`,
    };
  } finally {
    conn.close();
    await session.release(placed);
    await session.close();
    await lc.stop();
  }
}

export async function benchServices(): Promise<ModeRow[]> {
  const rows: ModeRow[] = [];
  for (const m of MODES) rows.push(await benchMode(m));
  console.log(`\nServices: one process of ${SERVICES} worker services (${KERNELS} kernels); a no-op round to ${SERVICES - 1} of them, idle vs while the other runs a ~${LONG} s Gram (medians; ${ROUNDS} idle rounds, ${REPS} long tasks)`);
  console.table(
    rows.map((r) => ({
      compute: r.mode,
      'idle round ms': r.idleMedianMs.toFixed(2),
      'round during the long task ms': Number.isNaN(r.busyMedianMs) ? 'none ended during it' : r.busyMedianMs.toFixed(2),
      'rounds during it': r.busyRounds,
      'busy / idle': Number.isNaN(r.ratio) ? '-' : r.ratio.toFixed(2),
      'long task s': r.longTaskSeconds.toFixed(2),
      'process RSS': r.rss,
    })),
  );
  return rows;
}
