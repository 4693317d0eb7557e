import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCluster } from '../launcher';
import { directLeastSquares, normalEquations, steepestDescent } from '../algorithms';
import { loadLeastSquaresProblem } from '../master/data';
import { setUpLeastSquares } from '../master/jobs/least-squares/setup';
import { chooseScheme } from '../core/schemes';
import { makeDelaySampler, NO_FAULTS, type DelaySpec } from '../shared/chaos';
import type { SchemeSpec } from '../shared/config';
import { availableCpus } from '../shared/kernels';
import { Rng } from '../shared/random';
import { writeNpy } from '../shared/tensor';
import { bareRounds, WARMUP_ROUNDS } from './bare-rounds';
import { median } from './stats';

const PYTHON = '/usr/bin/python3';
const WORKERS = 8;
const BASE = 0.01;
const TARGET = 1e-3;
const MAX_ROUNDS = 2000;
const DELAY: DelaySpec = { dist: 'lambda-tail', base: BASE };
const SCHEMES: SchemeSpec[] = [
  { name: 'wait-all' },
  { name: 'ignore-stragglers', q: 6 },
  { name: 'speculative' },
  { name: 'replication', r: 2 },
  { name: 'frc', stragglers: 1 },
  { name: 'mds', n: 8, k: 6 },
  { name: 'leverage', q: 6 },
];

interface CodaRun {
  scheme: string;
  repeat: number;
  rounds: number | null;
  seconds: number | null;
}

function label(s: SchemeSpec): string {
  const { name, ...p } = s;
  const args = Object.entries(p).map(([k, v]) => `${k}=${String(v)}`);
  return args.length ? `${name}(${args.join(', ')})` : name;
}

/** Why Dask cannot run here, or undefined when it can. */
function daskMissing(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import distributed, numpy'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `python3-distributed is not importable (${(r.stderr || '').trim().split('\n').pop()}); apt-get install -y python3-distributed`;
}

/**
 * Coda against Dask distributed on the least-squares job of issue 13: 4000×40 Student-t (df 1.5,
 * seed 6: 206 rounds of wait-all to the target), 8 workers, lambda-tail delays with a 10 ms base,
 * steepest descent with exact line search until ‖x − x*‖/‖x*‖ ≤ 1e-3. Coda runs every scheme on
 * a local cluster; Dask runs wait-all (the only scheme it has) on its own LocalCluster on
 * 127.0.0.1, laid out as Coda's, with the very delays Coda's workers draw (same seeds), so the two
 * wait-alls face identical stragglers. Medians over `repeats` chaos seeds; a run's floor is its
 * rounds × base delay. The wire's own floor is measured too: a bare grpc-js fan-out
 * (bare-rounds.ts) in the same layout, with the same rounds and delays, run by run.
 */
export async function benchDask(repeats = 5): Promise<Record<string, unknown>> {
  const { A, b } = loadLeastSquaresProblem({ data: { synthetic: { kind: 'student-t', rows: 4000, cols: 40, seed: 6, df: 1.5, noise: 0.01 } } });
  const xStar = directLeastSquares(A, b);
  const normal = normalEquations(A, b);
  // One worker process per core, as Dask's LocalCluster lays out its workers by default: on a
  // machine with fewer cores than workers, 8 single-threaded processes would mostly measure the
  // kernel waking them in turn. Coda, the bare fan-out and Dask all run this layout; Coda's best
  // scheme and the bare fan-out are measured with one process per worker as well.
  const perProcess = Math.max(1, Math.ceil(WORKERS / availableCpus()));
  const processes = Math.ceil(WORKERS / perProcess);
  const runCoda = async (specs: SchemeSpec[], per: number): Promise<{ runs: CodaRun[]; live: number[] }> => {
    const runs: CodaRun[] = [];
    const lc = await startLocalCluster({ workers: WORKERS, perProcess: per });
    const session = await lc.master.cluster.openJob({ kind: 'bench-dask' });
    const live = session.liveWorkers();
    try {
      for (let rep = 0; rep < repeats; rep++) {
        for (const spec of specs) {
          const setup = await setUpLeastSquares(session, A, b, chooseScheme(spec), { jobId: `dask-${rep}-${spec.name}`, seed: 1 + rep });
          try {
            // Warm-up rounds without delay (connections, and the JIT: see WARMUP_ROUNDS), then the timed run.
            await session.setChaos('none');
            await steepestDescent(setup.oracle, normal, { step: 'line-search', stop: { tol: 0, maxRounds: WARMUP_ROUNDS, timeLimit: 30 } });
            await session.setChaos({ delay: DELAY, fault: NO_FAULTS, seed: 1 + rep, cores: 1 });
            const res = await steepestDescent(setup.oracle, normal, { step: 'line-search', stop: { tol: 0, maxRounds: MAX_ROUNDS, timeLimit: 120 }, reference: { x: xStar, target: TARGET } });
            const hit = res.stoppedBy === 'target';
            runs.push({ scheme: label(spec), repeat: rep, rounds: hit ? res.rounds : null, seconds: hit ? res.seconds : null });
          } finally {
            await setup.release();
          }
        }
      }
    } finally {
      await session.close();
      await lc.stop();
    }
    return { runs, live };
  };
  const { runs: coda, live } = await runCoda(SCHEMES, perProcess);

  let dask: { repeat: number; rounds: number | null; seconds: number | null }[] | undefined;
  const missing = daskMissing();
  if (missing) {
    console.error(`\n*** bench dask: Dask distributed SKIPPED: ${missing} ***\n`);
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'coda-dask-'));
    try {
      writeNpy(join(dir, 'A.npy'), [A.rows, A.cols], A.data);
      writeNpy(join(dir, 'b.npy'), [b.length], b);
      writeNpy(join(dir, 'xstar.npy'), [xStar.length], xStar);
      // The draws Coda's worker j makes round after round under seed 1 + rep (cluster.ts seeds
      // worker j with seed · 7919 + j; wait-all's tasks have work 1).
      const delays = new Float64Array(repeats * MAX_ROUNDS * WORKERS);
      for (let rep = 0; rep < repeats; rep++) {
        live.forEach((w, j) => {
          const draw = makeDelaySampler(DELAY, new Rng((1 + rep) * 7919 + w));
          for (let r = 0; r < MAX_ROUNDS; r++) delays[(rep * MAX_ROUNDS + r) * WORKERS + j] = draw();
        });
      }
      writeNpy(join(dir, 'delays.npy'), [repeats, MAX_ROUNDS, WORKERS], delays);
      const out = spawnSync(PYTHON, [join(__dirname, '..', '..', 'bench', 'dask_lstsq.py'), dir, String(WORKERS), String(TARGET), String(MAX_ROUNDS), String(perProcess)], { encoding: 'utf8', timeout: 900_000 });
      if (out.status !== 0) throw new Error(`dask driver failed: ${out.stderr}`);
      dask = out.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { repeat: number; rounds: number | null; seconds: number | null });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  // A run's floor is its own rounds × the base delay: ratios are taken run by run (the schemes
  // that decode a subset take a different number of rounds under each seed), then summarized.
  const overFloor = (r: CodaRun): number | null => (r.seconds !== null && r.rounds ? r.seconds / (r.rounds * BASE) : null);
  const summarize = (runs: CodaRun[], s: SchemeSpec) => {
    const rs = runs.filter((c) => c.scheme === label(s));
    const secs = rs.map((r) => r.seconds).filter((v): v is number => v !== null);
    const rounds = rs.map((r) => r.rounds).filter((v): v is number => v !== null);
    return {
      scheme: label(s),
      reached: `${secs.length}/${rs.length}`,
      medianSeconds: secs.length ? median(secs) : null,
      minSeconds: secs.length ? Math.min(...secs) : null,
      maxSeconds: secs.length ? Math.max(...secs) : null,
      medianRounds: rounds.length ? median(rounds) : null,
      overFloor: spread(rs.map(overFloor).filter((v): v is number => v !== null)),
    };
  };
  const summary = SCHEMES.map((s) => summarize(coda, s));
  const reached = summary.filter((s) => s.medianSeconds !== null && s.reached === `${repeats}/${repeats}`);
  const best = [...reached].sort((a, b) => a.medianSeconds! - b.medianSeconds!)[0];
  const bestSpec = SCHEMES.find((s) => label(s) === best?.scheme);
  const daskSecs = dask?.map((d) => d.seconds).filter((v): v is number => v !== null) ?? [];
  const daskMedian = daskSecs.length ? median(daskSecs) : null;

  // The wire's floor: a bare grpc-js fan-out laid out as Coda's workers, the same rounds with the
  // same delay draws (worker j's sampler under seed 1 + rep, as Coda's worker j drew them), first
  // q; run by run against Coda's run with those rounds and draws.
  const bare = async (runs: CodaRun[], schemeLabel: string, q: number, per: number) => {
    const secs: number[] = [];
    const overOwnFloor: number[] = [];
    const codaOverBare: number[] = [];
    const codaOverDelayFloor: number[] = [];
    for (const run of runs.filter((c) => c.scheme === schemeLabel)) {
      if (run.rounds === null || run.seconds === null) return null;
      const draws = live.map((w) => makeDelaySampler(DELAY, new Rng((1 + run.repeat) * 7919 + w)));
      const delays = Array.from({ length: run.rounds }, () => Float64Array.from(draws, (draw) => draw()));
      const t = (await bareRounds(WORKERS, q, delays, per)).reduce((a, b) => a + b, 0);
      secs.push(t);
      overOwnFloor.push(t / (run.rounds * BASE));
      codaOverBare.push(run.seconds / t);
      // The delays alone: each round lasts its q-th fastest draw.
      codaOverDelayFloor.push(run.seconds / delays.reduce((sum, d) => sum + Float64Array.from(d).sort()[q - 1]!, 0));
    }
    return { scheme: schemeLabel, q, medianSeconds: median(secs), minSeconds: Math.min(...secs), maxSeconds: Math.max(...secs), overFloor: spread(overOwnFloor), codaOverBare: spread(codaOverBare), codaOverDelayFloor: spread(codaOverDelayFloor) };
  };
  const bestQ = bestSpec && 'q' in bestSpec && typeof bestSpec.q === 'number' ? bestSpec.q : WORKERS;
  const bareBest = best ? await bare(coda, best.scheme, bestQ, perProcess) : null;
  const bareWaitAll = await bare(coda, label({ name: 'wait-all' }), WORKERS, perProcess);

  // The same best scheme with one process per worker (the layout of earlier figures), against the
  // bare fan-out in that layout too.
  let oneProcessPerWorker: Record<string, unknown> | null = null;
  if (perProcess > 1 && best && bestSpec) {
    const { runs } = await runCoda([bestSpec], 1);
    oneProcessPerWorker = { processes: WORKERS, best: summarize(runs, bestSpec), bare: await bare(runs, best.scheme, bestQ, 1), runs };
  }
  return {
    problem: { rows: A.rows, cols: A.cols, workers: WORKERS, delay: DELAY, target: TARGET, repeats },
    layout: { processes, workersPerProcess: perProcess, cores: availableCpus() },
    coda: summary,
    best: best?.scheme ?? null,
    dask: dask ? { medianSeconds: daskMedian, minSeconds: daskSecs.length ? Math.min(...daskSecs) : null, maxSeconds: daskSecs.length ? Math.max(...daskSecs) : null, medianRounds: median(dask.map((d) => d.rounds ?? NaN)), runs: dask } : { skipped: missing },
    speedupOverDask: best && daskMedian ? daskMedian / best.medianSeconds! : null,
    bestOverFloor: best?.overFloor ?? null,
    bareGrpc: { best: bareBest, waitAll: bareWaitAll },
    oneProcessPerWorker,
    runs: coda,
  };
}

interface Spread {
  median: number;
  min: number;
  max: number;
}

function spread(xs: number[]): Spread | null {
  return xs.length ? { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) } : null;
}

export function printDask(r: Record<string, unknown>): void {
  const f = (v: unknown, d = 2): string => (typeof v === 'number' ? v.toFixed(d) : '-');
  const sp = (x: Spread | null | undefined): string => (x ? `${f(x.median)}× (${f(x.min)}-${f(x.max)})` : '-');
  const layout = r.layout as { processes: number; workersPerProcess: number; cores: number };
  console.log(`\nLeast squares 4000×40, 8 workers, lambda-tail 10 ms, time to ‖x − x*‖/‖x*‖ ≤ 1e-3 (medians of ${(r.problem as { repeats: number }).repeats} seeds)`);
  console.log(`Layout: ${layout.processes} worker processes of ${layout.workersPerProcess} workers (${layout.cores} cores) for Coda, the bare fan-out and Dask (threads_per_worker ${layout.workersPerProcess})`);
  console.table(
    (r.coda as (Record<string, unknown> & { overFloor: Spread | null })[]).map((s) => ({
      scheme: s.scheme,
      reached: s.reached,
      'seconds (median)': f(s.medianSeconds),
      'min-max': `${f(s.minSeconds)}-${f(s.maxSeconds)}`,
      rounds: s.medianRounds,
      '× own floor': sp(s.overFloor),
    })),
  );
  const d = r.dask as Record<string, unknown>;
  if (d.skipped) console.log(`Dask distributed: SKIPPED (${String(d.skipped)})`);
  else console.log(`Dask distributed wait-all: ${f(d.medianSeconds)} s (${f(d.minSeconds)}-${f(d.maxSeconds)}), ${String(d.medianRounds)} rounds`);
  console.log(`Coda's best (${String(r.best)}): ${f(r.speedupOverDask, 1)}× faster than Dask; ${sp(r.bestOverFloor as Spread | null)} the floor of its rounds × base delay (run by run)`);
  type Bare = { medianSeconds: number; minSeconds: number; maxSeconds: number; q: number; overFloor: Spread; codaOverBare: Spread; codaOverDelayFloor: Spread } | null;
  const bare = r.bareGrpc as { best: Bare; waitAll: Bare };
  const line = (name: string, b: Bare): string => (b ? `${name} ${f(b.medianSeconds)} s (${f(b.minSeconds)}-${f(b.maxSeconds)}, first ${b.q} of 8) = ${sp(b.overFloor)} the floor, Coda ${sp(b.codaOverBare)} it` : `${name} -`);
  console.log(`Bare grpc-js fan-out, same layout, rounds and delay draws: ${line(String(r.best), bare.best)}; ${line('wait-all', bare.waitAll)}`);
  console.log(`Counting each round's q-th fastest delay draw (not the base) as the floor, Coda's best is ${sp(bare.best?.codaOverDelayFloor)} it`);
  const one = r.oneProcessPerWorker as { best: { medianSeconds: number; minSeconds: number; maxSeconds: number; medianRounds: number; overFloor: Spread | null }; bare: Bare } | null;
  if (one) {
    console.log(
      `One process per worker (8 processes): ${String(r.best)} ${f(one.best.medianSeconds)} s (${f(one.best.minSeconds)}-${f(one.best.maxSeconds)}, ${String(one.best.medianRounds)} rounds) = ${sp(one.best.overFloor)} its floor; ` +
        line('bare fan-out', one.bare),
    );
  }
}
