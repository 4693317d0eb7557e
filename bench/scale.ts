import { performance } from 'node:perf_hooks';
import { chooseScheme } from '../master';
import { startLocalCluster, type LocalCluster } from '../launcher';
import type { JobSession } from '../master/cluster/job-session';
import { Rng } from '../shared/random';
import { CHANNEL_OPTIONS, channelCredentials, loadProtos, tokenMetadata, type pb } from '../shared/wire';
import { BareFanout, WARMUP_ROUNDS, type BareSizes } from './bare-rounds';
import { clusterCpuSeconds } from './proc-cpu';
import { fmtSpread, spread, type Spread } from './report';
import { median, quantile } from './stats';

/**
 * `npm run bench -- scale`: one local cluster of `workers` logical workers (256: 8 processes of
 * 32 worker services).
 *
 * - Rounds: the round of n no-op tasks (one per worker, n = 8, 32, 128, 256) through Coda's task
 *   streams, against the anchor, a bare @grpc/grpc-js fan-out over one bidirectional stream per
 *   worker laid out as Coda's (the same processes × services, raw bytes, no Protobuf, no scheme:
 *   bare-rounds.ts), and a bare fan-out of n unary RunTask calls to Coda's own workers (a second
 *   column: a unary call per task is what a naive gRPC driver does). The three are interleaved
 *   round by round after WARMUP_ROUNDS rounds of each (the JIT's warm-up, as in `dask`);
 *   `repeats` windows of `rounds` rounds each, a median per window, reported as
 *   the median of the windows (min–max over them); ratios are taken window by window.
 * - Idle CPU: the whole cluster (master and worker processes, from /proc) over `idleWindows`
 *   windows of `idleWindowSeconds` each, the first starting `idleAfterSeconds` after the cluster
 *   is up: past the first minute, so the once-a-minute liveness message is inside the windows.
 * - Start: seconds from spawning to every worker joined.
 */
export interface ScaleOptions {
  workers?: number;
  sizes?: number[];
  repeats?: number;
  rounds?: number;
  idleAfterSeconds?: number;
  idleWindows?: number;
  idleWindowSeconds?: number;
}

export async function benchScale(opts: ScaleOptions = {}): Promise<Record<string, unknown>> {
  const workers = opts.workers ?? 256;
  const sizes = (opts.sizes ?? [8, 32, 128, 256]).filter((n) => n <= workers);
  const repeats = opts.repeats ?? 5;
  const rounds = opts.rounds ?? 40;
  const idleAfter = opts.idleAfterSeconds ?? 60;
  const idleWindows = opts.idleWindows ?? 3;
  const idleWindow = opts.idleWindowSeconds ?? 60;
  const t0 = performance.now();
  const lc = await startLocalCluster({ workers, timeoutMs: 180_000 });
  const up = performance.now();
  const startupSeconds = (up - t0) / 1000;
  const session = await lc.master.cluster.openJob({ kind: 'bench' });
  let fan: BareFanout | undefined;
  try {
    const idle = await idleCpu(lc, up, idleAfter, idleWindows, idleWindow);
    const perProcess = Math.ceil(workers / lc.workers.length);
    fan = await BareFanout.start(workers, perProcess);
    const rows = [];
    for (const n of sizes) rows.push(await roundsOf(lc, session, fan, n, repeats, rounds));
    return { workers, processes: lc.workers.length, perProcess, startupSeconds, idle, repeats, roundsPerRepeat: rounds, rounds: rows };
  } finally {
    fan?.close();
    await session.close();
    await lc.stop();
  }
}

export interface IdleCpu {
  /** Cores busy (1 = one core) per window. */
  windows: number[];
  cores: Spread;
  afterSeconds: number;
  windowSeconds: number;
}

/** The cluster's CPU while idle: `windows` consecutive windows, the first `after` seconds after `upAt`. */
export async function idleCpu(lc: LocalCluster, upAt: number, after: number, windows: number, windowSeconds: number): Promise<IdleCpu> {
  const wait = upAt + after * 1000 - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const pids = lc.workers.map((w) => w.pid);
  const busy: number[] = [];
  for (let i = 0; i < windows; i++) {
    const cpu0 = clusterCpuSeconds(pids);
    const i0 = performance.now();
    await new Promise((r) => setTimeout(r, windowSeconds * 1000));
    busy.push((clusterCpuSeconds(pids) - cpu0) / ((performance.now() - i0) / 1000));
  }
  return { windows: busy, cores: spread(busy), afterSeconds: after, windowSeconds };
}

export interface RoundsRow {
  tasks: number;
  /** What the bare fan-out sent and answered a task (Coda's own no-op messages, encoded). */
  bareBytes: BareSizes;
  /** Per window: the median round, ms. */
  codaMs: Spread;
  bidiMs: Spread;
  unaryMs: Spread;
  /** Per window: Coda's median / the anchor's median. */
  codaOverBidi: Spread;
  codaOverUnary: Spread;
  /** Over every round of every window. */
  codaP90Ms: number;
  codaMaxMs: number;
}

/**
 * Rounds of n no-op tasks on the first n workers: Coda, the bare bidi-stream fan-out (services
 * 0..n−1 of `fan`, laid out as Coda's workers 0..n−1) and a bare unary fan-out to Coda's own
 * workers, interleaved round by round, after WARMUP_ROUNDS rounds of each; `repeats` windows of
 * `rounds` rounds.
 */
export async function roundsOf(lc: LocalCluster, session: JobSession, fan: BareFanout, n: number, repeats: number, rounds: number): Promise<RoundsRow> {
  const { worker } = loadProtos();
  const live = session.liveWorkers().slice(0, n);
  const unary: pb.WorkerClient[] = live.map((w) => new worker.coda.v1.Worker(lc.master.registry.get(w)!.address, channelCredentials(), CHANNEL_OPTIONS));
  const plan = chooseScheme('wait-all').plan({ workers: n, blocks: n, blockRows: Array(n).fill(1), rng: new Rng(1) });
  plan.stored = [];
  plan.slots.forEach((s, i) => {
    s.blocks = [];
    s.host = live[i]!;
  });
  const placed = await session.place(`scale-${n}`, plan, { A: { rows: 0, cols: 0, data: new Float64Array(0) }, blockStarts: [0] });
  const noDelay = new Float64Array(n);
  const sizes = codaNoopSizes(placed.jobId, n);
  const unaryRound = (): Promise<unknown> =>
    Promise.all(
      unary.map(
        (c, i) =>
          new Promise((resolve, reject) =>
            c.runTask({ jobId: 'bare', round: '1', slot: i, blocks: [], noop: {} }, tokenMetadata(undefined), { deadline: Date.now() + 30_000 }, (e, r) => (e ? reject(e) : resolve(r))),
          ),
      ),
    );
  const timed = async (f: () => Promise<unknown>): Promise<number> => {
    const t = performance.now();
    await f();
    return performance.now() - t;
  };
  try {
    // The same warm-up for all three (connections, and the JIT: see WARMUP_ROUNDS).
    for (let i = 0; i < WARMUP_ROUNDS; i++) {
      await session.round(placed, { kind: 'noop' });
      await fan.run(noDelay, n, 0, sizes);
      await unaryRound();
    }
    const all: number[] = [];
    const coda: number[] = [];
    const bidi: number[] = [];
    const uni: number[] = [];
    const overBidi: number[] = [];
    const overUnary: number[] = [];
    for (let rep = 0; rep < repeats; rep++) {
      const c: number[] = [];
      const b: number[] = [];
      const u: number[] = [];
      for (let i = 0; i < rounds; i++) {
        c.push(await timed(() => session.round(placed, { kind: 'noop' })));
        b.push(1000 * (await fan.run(noDelay, n, 0, sizes)));
        u.push(await timed(unaryRound));
      }
      all.push(...c);
      coda.push(median(c));
      bidi.push(median(b));
      uni.push(median(u));
      overBidi.push(median(c) / median(b));
      overUnary.push(median(c) / median(u));
    }
    return {
      tasks: n,
      bareBytes: sizes,
      codaMs: spread(coda),
      bidiMs: spread(bidi),
      unaryMs: spread(uni),
      codaOverBidi: spread(overBidi),
      codaOverUnary: spread(overUnary),
      codaP90Ms: quantile(all, 0.9),
      codaMaxMs: Math.max(...all),
    };
  } finally {
    await session.release(placed);
    unary.forEach((c) => c.close());
  }
}

/**
 * The bytes of Coda's no-op task messages on a task stream (the round message of one slot, and
 * its answer with the timings a worker reports), encoded as they go: the bare fan-out sends and
 * answers as many, so the anchor carries what Coda carries. Representative values (a round
 * number of Coda's warm-up, nonzero timings and loop lag): a real message is within a few bytes.
 */
export function codaNoopSizes(jobId: string, workers: number): BareSizes {
  const tasks = loadProtos().worker.coda.v1.Worker.service.Tasks;
  const round = String(WARMUP_ROUNDS * 3);
  const slot = workers - 1;
  const request = tasks.requestSerialize({ round: { jobId, round, shared: { noop: {} }, slots: [{ slot, blocks: [], work: 1 }] } });
  const answer = tasks.responseSerialize({
    result: {
      workerIndex: slot,
      jobId,
      round,
      slot,
      timings: { computeSeconds: 1.5e-6, injectedDelaySeconds: 0, queueSeconds: 2.5e-6, loopLagP99Seconds: 1.1e-3, loopLagMaxSeconds: 3.2e-3 },
      payload: { shape: [0], data: Buffer.alloc(0) },
    },
  });
  return { requestBytes: request.length, answerBytes: answer.length };
}

/** The rounds table of scale and round-overhead. */
export function printRounds(rows: readonly RoundsRow[]): void {
  console.table(
    rows.map((x) => ({
      tasks: x.tasks,
      'coda ms': fmtSpread(x.codaMs),
      'bare bidi ms (anchor)': fmtSpread(x.bidiMs),
      'coda / bidi': fmtSpread(x.codaOverBidi),
      'goal ≤ 1.1': x.codaOverBidi.median <= 1.1 ? '✓' : '✗',
      'bare unary ms': fmtSpread(x.unaryMs),
      'coda / unary': fmtSpread(x.codaOverUnary),
      'coda p90 / max ms': `${x.codaP90Ms.toFixed(1)} / ${x.codaMaxMs.toFixed(1)}`,
      'bytes a task (sent / answered)': x.bareBytes ? `${x.bareBytes.requestBytes} / ${x.bareBytes.answerBytes}` : '',
    })),
  );
}

export function printScale(r: Record<string, unknown>): void {
  const idle = r.idle as IdleCpu;
  console.log(
    `\nScale: ${r.workers} workers in ${r.processes} processes (${r.perProcess} services each); up in ${(r.startupSeconds as number).toFixed(1)} s; ` +
      `idle CPU ${fmtSpread({ ...idle.cores, median: 100 * idle.cores.median, min: 100 * idle.cores.min, max: 100 * idle.cores.max }, 1, '%')} of one core ` +
      `(${idle.windows.length} windows of ${idle.windowSeconds} s from ${idle.afterSeconds} s after start; goal < 10%)`,
  );
  console.log(`Rounds of no-op tasks, one a worker: medians of ${r.repeats} windows of ${r.roundsPerRepeat} rounds (min–max over windows), Coda, bare bidi stream and bare unary interleaved round by round`);
  printRounds(r.rounds as RoundsRow[]);
}
