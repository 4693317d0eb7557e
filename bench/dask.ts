import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { inlineLinalg, selectLinalg } from '../shared/linalg';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startLocalCluster } from '../launcher';
import { directLeastSquares, normalEquations, steepestDescent, type NormalEquations } from '../algorithms';
import { loadLeastSquaresProblem } from '../master/data';
import { setUpLeastSquares } from '../master/jobs/least-squares/setup';
import type { JobSession } from '../master/cluster/job-session';
import { chooseScheme } from '../core/schemes';
import { makeDelaySampler, NO_FAULTS, type DelaySpec } from '../shared/chaos';
import type { SchemeSpec } from '../shared/config';
import { InputError } from '../shared/errors';
import { availableCpus } from '../shared/kernels';
import { Rng } from '../shared/random';
import { writeNpy, type Matrix } from '../shared/tensor';
import { BareFanout, WARMUP_ROUNDS } from './bare-rounds';
import { fmtSpread, loadNow, spread, type Spread } from './report';

/**
 * `npm run bench -- dask`: Coda against Dask distributed, the same scheme on both systems.
 *
 * The job: least squares 4000×40 Student-t (df 1.5, seed 6), 8 workers (one block each), steepest
 * descent, lambda-tail delays with a 10 ms base. Both systems run the same algorithm with the same
 * step rule on the same data, and every worker sleeps the very same delays: the draws are made
 * here (worker j under seed s: the lambda-tail sampler seeded s·7919 + j, one draw a round) and
 * replayed by Coda's workers as a delay trace and by Dask's tasks from the same array.
 *
 * Tables (each for both layouts: one worker process per core, and one per worker):
 * - fixed step (the headline): step 1/σmax(A)², `rounds` rounds (206 by default: the rounds the
 *   exact line search needs to ‖x − x*‖/‖x*‖ ≤ 1e-3 with wait-all); every scheme and both
 *   systems run the same rounds, so a ratio between systems is a ratio of round costs. Rows:
 *   wait-all vs wait-all, first-q vs first-q (q = 6 of 8, rescaled by K/q).
 * - exact line search to the target (optional, `--no-line-search` skips it): rounds differ by
 *   scheme (an approximate direction with the exact line search breaks steepest descent's
 *   zig-zag, an algorithmic effect), so rounds get their own column and the fewer-rounds effect
 *   is its own ratio (wait-all's rounds / first-q's rounds), never folded into Coda vs Dask.
 *
 * Anchors, measured or computed for each run: the delay floor (the sum over the run's rounds of
 * the round's slowest draw, or its q-th fastest for first-q: no system can beat it), and the wire's
 * floor, a bare @grpc/grpc-js bidi-stream fan-out in the same layout (bare-rounds.ts) with the
 * same rounds and draws. Coda's, Dask's and the bare runs are interleaved seed by seed (Coda
 * wait-all, Dask wait-all, bare, Coda first-q, Dask first-q, bare, ...), each after WARMUP_ROUNDS
 * rounds without delay, with the load average recorded before and after each.
 */
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const WORKERS = 8;
const BASE = 0.01;
const TARGET = 1e-3;
const MAX_ROUNDS = 2000;
const Q = 6;
const DELAY: DelaySpec = { dist: 'lambda-tail', base: BASE };

interface Scheme {
  label: string;
  coda: SchemeSpec;
  q: number;
}
const SCHEMES: Scheme[] = [
  { label: 'wait-all', coda: { name: 'wait-all' }, q: WORKERS },
  { label: `first-q (q = ${Q})`, coda: { name: 'ignore-stragglers', q: Q }, q: Q },
];

interface Table {
  name: string;
  step: number | 'line-search';
  maxRounds: number;
  target?: number;
}

interface Layout {
  name: string;
  perProcess: number;
}

export interface DaskOptions {
  repeats?: number;
  /** Rounds of the fixed-step table. */
  rounds?: number;
  lineSearch?: boolean;
  /** 'core', 'worker' or both. */
  layouts?: string[];
  warmup?: number;
  /** Dask's driver: thread or async tasks, how the first-q round drops the rest, gathers direct from workers. */
  daskTask?: 'thread' | 'async';
  daskCancel?: 'release' | 'cancel';
  daskDirect?: boolean;
  /** First-q: results gathered as each completes (as_completed with_results), or one gather of the first q. */
  daskFirstQ?: 'results' | 'gather';
}

interface Run {
  system: 'coda' | 'dask' | 'bare';
  layout: string;
  table: string;
  scheme: string;
  seed: number;
  seconds: number;
  rounds: number;
  relError: number | null;
  reached: boolean;
  /** Σ over the run's rounds of the round's q-th fastest delay draw. */
  delayFloor: number;
  load: [number, number];
}

/** Why Dask cannot run here, or undefined when it can. */
function daskMissing(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import distributed, numpy'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `python3-distributed is not importable (${(r.stderr || '').trim().split('\n').pop()}); apt-get install -y python3-distributed`;
}

/** Dask's driver (bench/dask_lstsq.py) in a child process, one run at a time. */
class DaskPeer {
  private stderr = '';
  private constructor(
    private readonly proc: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
    readonly hello: Record<string, unknown>,
  ) {}

  static async start(cfg: Record<string, unknown>): Promise<DaskPeer> {
    const script = join(__dirname, '..', '..', 'bench', 'dask_lstsq.py');
    // One BLAS thread, as Coda's workers: the tasks' products are small.
    const proc = spawn(PYTHON, [script, JSON.stringify(cfg)], { env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done) throw new Error(`dask driver did not start: ${stderr}`);
    const peer = new DaskPeer(proc, lines, JSON.parse(first.value) as Record<string, unknown>);
    proc.stderr.on('data', (d: Buffer) => (peer.stderr = (peer.stderr + d.toString()).slice(-4000)));
    return peer;
  }

  async run(spec: Record<string, unknown>): Promise<{ seconds: number; rounds: number; relError: number | null; reached: boolean }> {
    this.proc.stdin.write(`${JSON.stringify({ run: spec })}\n`);
    const r = await this.lines.next();
    if (r.done) throw new Error(`dask driver exited: ${this.stderr}`);
    const reply = JSON.parse(r.value) as Record<string, unknown>;
    if (reply.error) throw new Error(`dask driver: ${String(reply.error)}\n${this.stderr}`);
    return reply as { seconds: number; rounds: number; relError: number | null; reached: boolean };
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.stdin.write(`${JSON.stringify({ exit: true })}\n`);
    this.proc.stdin.end();
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Σ over the first `rounds` rounds of each round's q-th fastest draw. */
export function delayFloor(delays: Float64Array[], rounds: number, q: number): number {
  let s = 0;
  for (let r = 0; r < rounds; r++) s += Float64Array.from(delays[r]!).sort()[q - 1]!;
  return s;
}

export async function benchDask(opts: DaskOptions = {}): Promise<Record<string, unknown>> {
  const missing = daskMissing();
  if (missing) {
    console.error(`\n*** bench dask: SKIPPED, Dask distributed is missing: ${missing} ***\n`);
    return { skipped: missing };
  }
  const repeats = opts.repeats ?? 5;
  const fixedRounds = opts.rounds ?? 206;
  const warmup = opts.warmup ?? WARMUP_ROUNDS;
  const { A, b } = loadLeastSquaresProblem({ data: { synthetic: { kind: 'student-t', rows: 4000, cols: 40, seed: 6, df: 1.5, noise: 0.01 } } });
  const la = inlineLinalg(selectLinalg({ backend: 'auto' }).linalg);
  const xStar = await directLeastSquares(la, A, b);
  const normal = await normalEquations(la, A, b);
  const step = 1 / (await normal.largestEigenvalue());
  const tables: Table[] = [
    { name: 'fixed step', step, maxRounds: fixedRounds },
    ...(opts.lineSearch === false ? [] : [{ name: 'exact line search', step: 'line-search' as const, maxRounds: MAX_ROUNDS, target: TARGET }]),
  ];
  const perCore = Math.max(1, Math.ceil(WORKERS / availableCpus()));
  const layouts: Layout[] = [
    { name: 'one process per core', perProcess: perCore },
    { name: 'one process per worker', perProcess: 1 },
  ].filter((l) => !opts.layouts || opts.layouts.some((k) => l.name.endsWith(k)));
  const badLayout = opts.layouts?.find((k) => k !== 'core' && k !== 'worker');
  if (badLayout !== undefined) throw new InputError(`bench dask: layouts are 'core' and 'worker', got ${JSON.stringify(badLayout)}`);

  const dir = mkdtempSync(join(tmpdir(), 'coda-dask-'));
  const runs: Run[] = [];
  const hellos: Record<string, unknown>[] = [];
  try {
    writeNpy(join(dir, 'A.npy'), [A.rows, A.cols], A.data);
    writeNpy(join(dir, 'b.npy'), [b.length], b);
    writeNpy(join(dir, 'xstar.npy'), [xStar.length], xStar);
    // Each seed's draws, rounds × workers: a trace for Coda's workers (column j: the worker of
    // block j), the same numbers as an array for Dask's tasks.
    const draws = new Map<number, Float64Array[]>();
    for (let seed = 1; seed <= repeats; seed++) {
      const samplers = Array.from({ length: WORKERS }, (_, j) => makeDelaySampler(DELAY, new Rng(seed * 7919 + j)));
      const rows = Array.from({ length: MAX_ROUNDS }, () => Float64Array.from(samplers, (draw) => draw()));
      draws.set(seed, rows);
      const header = Array.from({ length: WORKERS }, (_, j) => `worker${j}`).join(',');
      writeFileSync(join(dir, `delays-${seed}.csv`), `# lambda-tail base ${BASE} s, seed ${seed}\n${header}\n${rows.map((r) => Array.from(r, String).join(',')).join('\n')}\n`);
      const flat = new Float64Array(MAX_ROUNDS * WORKERS);
      rows.forEach((r, i) => flat.set(r, i * WORKERS));
      writeNpy(join(dir, `delays-${seed}.npy`), [MAX_ROUNDS, WORKERS], flat);
    }
    const xNorm = Math.hypot(...xStar);
    const relError = (x: Float64Array): number => Math.hypot(...Array.from(x, (v, i) => v - xStar[i]!)) / xNorm;

    for (const layout of layouts) {
      const lc = await startLocalCluster({ workers: WORKERS, perProcess: layout.perProcess });
      const session = await lc.master.cluster.openJob({ kind: 'bench-dask' });
      let dask: DaskPeer | undefined;
      let fan: BareFanout | undefined;
      try {
        // Dask gets twice the threads a process has blocks: a first-q straggler Dask cannot
        // interrupt keeps its thread until its sleep ends, and must not hold the next round's.
        dask = await DaskPeer.start({
          folder: dir,
          workers: WORKERS,
          perProcess: layout.perProcess,
          threads: 2 * layout.perProcess,
          task: opts.daskTask ?? 'thread',
          cancel: opts.daskCancel ?? 'release',
          direct: opts.daskDirect ?? false,
          firstQ: opts.daskFirstQ ?? 'results',
        });
        hellos.push({ layout: layout.name, ...dask.hello });
        fan = await BareFanout.start(WORKERS, layout.perProcess);
        for (let seed = 1; seed <= repeats; seed++) {
          const delays = draws.get(seed)!;
          for (const table of tables) {
            for (const scheme of SCHEMES) {
              const base = { layout: layout.name, table: table.name, scheme: scheme.label, seed };
              const timed = async (system: Run['system'], f: () => Promise<Omit<Run, keyof typeof base | 'system' | 'load' | 'delayFloor'>>): Promise<Run> => {
                const l0 = loadNow()[0];
                const r = await f();
                const run: Run = { system, ...base, ...r, delayFloor: delayFloor(delays, r.rounds, scheme.q), load: [l0, loadNow()[0]] };
                runs.push(run);
                process.stderr.write(`${layout.name} ${table.name} ${scheme.label} seed ${seed} ${system}: ${r.seconds.toFixed(3)} s, ${r.rounds} rounds, load ${run.load[0].toFixed(1)}\n`);
                return run;
              };
              const coda = await timed('coda', () => codaRun(session, A, b, normal, scheme, table, seed, join(dir, `delays-${seed}.csv`), warmup, xStar, relError));
              await timed('dask', () =>
                dask!.run({ delays: join(dir, `delays-${seed}.npy`), q: scheme.q, step: table.step, maxRounds: table.maxRounds, target: table.target ?? null, warmup, seed }),
              );
              await timed('bare', async () => {
                await fan!.warmUp(warmup);
                let seconds = 0;
                for (let r = 0; r < coda.rounds; r++) seconds += await fan!.run(delays[r]!, scheme.q);
                return { seconds, rounds: coda.rounds, relError: null, reached: coda.reached };
              });
            }
          }
        }
      } finally {
        fan?.close();
        await dask?.close();
        await session.close();
        await lc.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    problem: { rows: A.rows, cols: A.cols, workers: WORKERS, delay: DELAY, q: Q, fixedStep: step, fixedRounds, target: TARGET, repeats, warmupRounds: warmup },
    layouts: layouts.map((l) => ({ ...l, processes: Math.ceil(WORKERS / l.perProcess), cores: availableCpus() })),
    dask: hellos,
    summary: summarize(runs, layouts, tables),
    runs,
  };
}

/** One Coda run: placement, warm-up rounds without delay, the delay trace, the timed run. */
async function codaRun(
  session: JobSession,
  A: Matrix,
  b: Float64Array,
  normal: NormalEquations,
  scheme: Scheme,
  table: Table,
  seed: number,
  trace: string,
  warmup: number,
  xStar: Float64Array,
  relError: (x: Float64Array) => number,
): Promise<{ seconds: number; rounds: number; relError: number; reached: boolean }> {
  const setup = await setUpLeastSquares(session, A, b, chooseScheme(scheme.coda), { jobId: `dask-${seed}-${scheme.coda.name}-${table.name.replace(/ /g, '-')}`, seed });
  try {
    await session.setChaos('none');
    await steepestDescent(setup.oracle, normal, { step: table.step, stop: { tol: 0, maxRounds: warmup, timeLimit: 60 } });
    await session.setChaos({ delay: { dist: 'trace', file: trace, mode: 'replay' }, fault: NO_FAULTS, seed, cores: 1 });
    const res = await steepestDescent(setup.oracle, normal, {
      step: table.step,
      stop: { tol: 0, maxRounds: table.maxRounds, timeLimit: 300 },
      reference: { x: xStar, ...(table.target !== undefined ? { target: table.target } : {}) },
    });
    return { seconds: res.seconds, rounds: res.rounds, relError: relError(res.x), reached: table.target === undefined ? res.rounds === table.maxRounds : res.stoppedBy === 'target' };
  } finally {
    await session.setChaos('none');
    await setup.release();
  }
}

export interface DaskRow {
  layout: string;
  table: string;
  scheme: string;
  /** Runs that reached the target (or ran every round) / runs. */
  reached: { coda: string; dask: string };
  seconds: { coda: Spread; dask: Spread; bare: Spread };
  rounds: { coda: Spread; dask: Spread };
  relError: { coda: Spread | null; dask: Spread | null };
  delayFloor: { coda: Spread; dask: Spread };
  /** Seed by seed. */
  daskOverCoda: Spread;
  codaOverBare: Spread;
  codaOverFloor: Spread;
  daskOverFloor: Spread;
  bareOverFloor: Spread;
  /** Dask's seconds a round / Coda's (the same as daskOverCoda when the rounds are equal). */
  daskOverCodaPerRound: Spread;
  load: Spread;
}

function summarize(runs: Run[], layouts: Layout[], tables: Table[]): { rows: DaskRow[]; fewerRounds: Record<string, unknown>[] } {
  const rows: DaskRow[] = [];
  for (const l of layouts) {
    for (const t of tables) {
      for (const s of SCHEMES) {
        const of = (system: Run['system']): Run[] => runs.filter((r) => r.layout === l.name && r.table === t.name && r.scheme === s.label && r.system === system).sort((a, b) => a.seed - b.seed);
        const coda = of('coda');
        const dask = of('dask');
        const bare = of('bare');
        if (coda.length === 0) continue;
        const pair = (xs: Run[], ys: Run[], f: (x: Run, y: Run) => number): Spread => spread(xs.map((x, i) => f(x, ys[i]!)));
        const errs = (xs: Run[]): Spread | null => {
          const e = xs.map((r) => r.relError).filter((v): v is number => v !== null);
          return e.length ? spread(e) : null;
        };
        rows.push({
          layout: l.name,
          table: t.name,
          scheme: s.label,
          reached: { coda: `${coda.filter((r) => r.reached).length}/${coda.length}`, dask: `${dask.filter((r) => r.reached).length}/${dask.length}` },
          seconds: { coda: spread(coda.map((r) => r.seconds)), dask: spread(dask.map((r) => r.seconds)), bare: spread(bare.map((r) => r.seconds)) },
          rounds: { coda: spread(coda.map((r) => r.rounds)), dask: spread(dask.map((r) => r.rounds)) },
          relError: { coda: errs(coda), dask: errs(dask) },
          delayFloor: { coda: spread(coda.map((r) => r.delayFloor)), dask: spread(dask.map((r) => r.delayFloor)) },
          daskOverCoda: pair(dask, coda, (d, c) => d.seconds / c.seconds),
          codaOverBare: pair(coda, bare, (c, b) => c.seconds / b.seconds),
          codaOverFloor: spread(coda.map((r) => r.seconds / r.delayFloor)),
          daskOverFloor: spread(dask.map((r) => r.seconds / r.delayFloor)),
          bareOverFloor: spread(bare.map((r) => r.seconds / r.delayFloor)),
          daskOverCodaPerRound: pair(dask, coda, (d, c) => d.seconds / d.rounds / (c.seconds / c.rounds)),
          load: spread([...coda, ...dask, ...bare].flatMap((r) => r.load)),
        });
      }
    }
  }
  // The fewer-rounds effect: how many fewer rounds first-q needs than wait-all, per system, where the rounds differ.
  const fewerRounds = rows
    .filter((r) => r.scheme !== 'wait-all')
    .map((r) => {
      const wa = rows.find((w) => w.layout === r.layout && w.table === r.table && w.scheme === 'wait-all');
      return {
        layout: r.layout,
        table: r.table,
        scheme: r.scheme,
        'coda wait-all rounds / first-q rounds': wa ? +(wa.rounds.coda.median / r.rounds.coda.median).toFixed(2) : null,
        'dask wait-all rounds / first-q rounds': wa ? +(wa.rounds.dask.median / r.rounds.dask.median).toFixed(2) : null,
      };
    })
    .filter((r) => r['coda wait-all rounds / first-q rounds'] !== 1 || r['dask wait-all rounds / first-q rounds'] !== 1);
  return { rows, fewerRounds };
}

export function printDask(r: Record<string, unknown>): void {
  if (r.skipped) {
    console.log(`Dask distributed: SKIPPED (${String(r.skipped)})`);
    return;
  }
  const p = r.problem as { repeats: number; fixedRounds: number; fixedStep: number; warmupRounds: number };
  const layouts = r.layouts as (Layout & { processes: number; cores: number })[];
  const hellos = r.dask as Record<string, unknown>[];
  console.log(
    `\nLeast squares 4000×40 Student-t, 8 workers, lambda-tail 10 ms (the same draws on both systems), medians of ${p.repeats} seeds (min–max), ` +
      `each run after ${p.warmupRounds} rounds without delay; Coda, Dask and the bare fan-out interleaved seed by seed.`,
  );
  for (const l of layouts) {
    const h = hellos.find((x) => x.layout === l.name);
    console.log(`  ${l.name}: ${l.processes} processes of ${l.perProcess} workers on ${l.cores} cores; Dask ${String(h?.dask)}: ${String(h?.task)} tasks, threads ${JSON.stringify(h?.nthreads)}, client.map a round, first-q via as_completed (${h?.firstQ === 'gather' ? 'then one gather' : 'with results'}) then ${String(h?.cancel)}${h?.directToWorkers ? ', gathers direct from workers' : ''}`);
  }
  const { rows, fewerRounds } = r.summary as { rows: DaskRow[]; fewerRounds: Record<string, unknown>[] };
  const f = (s: Spread | null, d = 2): string => fmtSpread(s, d);
  for (const table of [...new Set(rows.map((x) => x.table))]) {
    const fixed = table === 'fixed step';
    console.log(
      fixed
        ? `\n${table} 1/σmax(A)² = ${p.fixedStep.toExponential(3)}, ${p.fixedRounds} rounds on both systems (the headline: same scheme, same rounds):`
        : `\n${table} to ‖x − x*‖/‖x*‖ ≤ ${TARGET}: rounds differ by scheme (see the rounds columns and the fewer-rounds table), not by system`,
    );
    console.table(
      rows
        .filter((x) => x.table === table)
        .map((x) => ({
          layout: x.layout.replace('one process per ', 'per '),
          scheme: x.scheme,
          'coda s': f(x.seconds.coda),
          'dask s': f(x.seconds.dask),
          'dask / coda': f(x.daskOverCoda),
          ...(fixed ? {} : { 'coda rounds': x.rounds.coda.median, 'dask rounds': x.rounds.dask.median, 'dask / coda a round': f(x.daskOverCodaPerRound) }),
          'bare bidi s': f(x.seconds.bare),
          'coda / bare (≤ 1.1)': f(x.codaOverBare),
          'delay floor s': f(x.delayFloor.coda),
          'coda / floor': f(x.codaOverFloor),
          'dask / floor': f(x.daskOverFloor),
          'bare / floor': f(x.bareOverFloor),
          'rel. error coda / dask': `${x.relError.coda ? x.relError.coda.median.toExponential(1) : '—'} / ${x.relError.dask ? x.relError.dask.median.toExponential(1) : '—'}`,
          reached: `${x.reached.coda} / ${x.reached.dask}`,
          load: f(x.load, 1),
        })),
    );
  }
  if (fewerRounds.length) {
    console.log('\nFewer rounds (an algorithmic effect of the scheme and the step rule, the same on both systems; not part of any Coda / Dask ratio):');
    console.table(fewerRounds);
  }
  const head = rows.filter((x) => x.table === 'fixed step' && x.layout === layouts[0]?.name);
  for (const x of head) {
    console.log(
      `Headline (${x.layout}, fixed step): ${x.scheme} Coda ${f(x.seconds.coda)} s vs Dask ${f(x.seconds.dask)} s = Dask ${f(x.daskOverCoda)}× Coda; ` +
        `Coda ${f(x.codaOverBare)}× the bare fan-out (goal ≤ 1.1), ${f(x.codaOverFloor)}× the delay floor${x.scheme === 'wait-all' ? ' (goal ≤ 1.15)' : ''}; ` +
        `no system can beat Dask by more than ${(x.daskOverFloor.median).toFixed(2)}× here (Dask / floor)`,
    );
  }
}
