import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readDelayTrace } from '../shared/chaos';
import { Rng } from '../shared/random';
import { writeNpy } from '../shared/tensor';

/**
 * What the adaptive-oracle bench runs: least-squares problems whose steepest descent with the
 * inverse-Lipschitz step (1/σ_max(A)²) needs a given number of rounds to ‖∇f‖/‖∇f₀‖ ≤ 1e-8, and the
 * delay conditions, each a job's `chaos` (seeded per run) that may be rewritten for a run on all
 * workers but one (`without`).
 */

/** The bench's stopping rule. */
export const TARGET = 1e-8;

export interface Problem {
  /** "short" or "long". */
  name: string;
  /** .npy files of A and b. */
  A: string;
  b: string;
  rows: number;
  cols: number;
  /** Rounds the exact iteration takes to TARGET (computed here, in plain JS). */
  rounds: number;
}

/**
 * A = G·diag(s) (G Gaussian, rows × cols, seeded), s_j = κ^{j/(2(cols−1))}, b = A·x + 0.1·noise
 * (an inconsistent system: estimates stall at a noise floor). κ is found by bisection so that the
 * exact steepest descent takes about `rounds` rounds.
 */
export function makeProblem(name: string, targetRounds: number, dir: string, opts: { rows?: number; cols?: number; seed?: number } = {}): Problem {
  const rows = opts.rows ?? 4000;
  const cols = opts.cols ?? 40;
  const rng = new Rng(opts.seed ?? 11);
  const G = Float64Array.from({ length: rows * cols }, () => rng.normal());
  const x = Float64Array.from({ length: cols }, () => rng.normal());
  const noise = Float64Array.from({ length: rows }, () => 0.1 * rng.normal());
  const build = (kappa: number): { A: Float64Array; b: Float64Array } => {
    const A = new Float64Array(rows * cols);
    const b = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < cols; j++) {
        const v = G[i * cols + j]! * kappa ** (j / (2 * (cols - 1)));
        A[i * cols + j] = v;
        s += v * x[j]!;
      }
      b[i] = s + noise[i]!;
    }
    return { A, b };
  };
  let lo = 1;
  let hi = 4096;
  let best = { kappa: 1, rounds: sdRounds(build(1).A, build(1).b, rows, cols) };
  for (let it = 0; it < 40 && best.rounds !== targetRounds; it++) {
    const mid = Math.sqrt(lo * hi);
    const r = sdRounds(build(mid).A, build(mid).b, rows, cols);
    if (Math.abs(r - targetRounds) < Math.abs(best.rounds - targetRounds)) best = { kappa: mid, rounds: r };
    if (r < targetRounds) lo = mid;
    else hi = mid;
  }
  const { A, b } = build(best.kappa);
  const pathA = join(dir, `${name}-A.npy`);
  const pathB = join(dir, `${name}-b.npy`);
  writeNpy(pathA, [rows, cols], A);
  writeNpy(pathB, [rows], b);
  return { name, A: pathA, b: pathB, rows, cols, rounds: best.rounds };
}

/** Rounds of x ← x − (Gx − c)/λ_max(G) from 0 until ‖Gx − c‖/‖c‖ ≤ TARGET (G = AᵀA, c = Aᵀb). */
function sdRounds(A: Float64Array, b: Float64Array, rows: number, cols: number): number {
  const G = new Float64Array(cols * cols);
  const c = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const a = A[i * cols + j]!;
      c[j]! += a * b[i]!;
      for (let k = j; k < cols; k++) G[j * cols + k]! += a * A[i * cols + k]!;
    }
  }
  for (let j = 0; j < cols; j++) for (let k = 0; k < j; k++) G[j * cols + k] = G[k * cols + j]!;
  const mv = (v: Float64Array, out: Float64Array): Float64Array => {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let k = 0; k < cols; k++) s += G[j * cols + k]! * v[k]!;
      out[j] = s;
    }
    return out;
  };
  // λ_max by power iteration (G is symmetric positive definite).
  let v = new Float64Array(cols).fill(1);
  let w = new Float64Array(cols);
  let lambda = 0;
  for (let it = 0; it < 2000; it++) {
    mv(v, w);
    const n = Math.hypot(...w);
    const next = n;
    for (let j = 0; j < cols; j++) w[j]! /= n;
    [v, w] = [w, v];
    if (Math.abs(next - lambda) <= 1e-14 * next) break;
    lambda = next;
  }
  const xk = new Float64Array(cols);
  const g = new Float64Array(cols);
  const cNorm = Math.hypot(...c);
  for (let r = 1; r <= 100_000; r++) {
    mv(xk, g);
    for (let j = 0; j < cols; j++) xk[j]! -= (g[j]! - c[j]!) / lambda;
    mv(xk, g);
    let s = 0;
    for (let j = 0; j < cols; j++) s += (g[j]! - c[j]!) ** 2;
    if (Math.sqrt(s) / cNorm <= TARGET) return r;
  }
  return Infinity;
}

/** A delay condition: a job's chaos (without seed), on all the workers or on all but one. */
export interface Condition {
  name: string;
  /** What the README's table says of it. */
  description: string;
  /** The job's chaos for a run on the cluster's workers except `without` (physical indices kept). */
  chaos(without?: number): Record<string, unknown>;
}

/** The trace replayed under "trace": 8 worker processes on a loaded 2-core machine (examples/traces). */
export const TRACE_FILE = 'examples/traces/local-load.csv';
/** Scales the trace's median (66 ms a unit) to about 10 ms. */
const TRACE_SCALE = 0.15;

/**
 * The five conditions, for `workers` workers. The slow worker is `slow` (index 3): 80 ms a unit of
 * work, every other worker undelayed (issue 25's case). The trace is replayed per task (an
 * independent task-level stream, in the file's order: the load's bursts are in it), each worker
 * its own column; for a run without worker w, the trace is rewritten without w's column so every
 * other worker replays the same column as before. markov: 10 ms a unit, ×8 in slow periods of
 * mean 1 s that come every 4 s on average, per worker.
 */
export function conditions(workers: number, opts: { root: string; tmp?: string; slow?: number } = { root: process.cwd() }): Condition[] {
  const slow = opts.slow ?? 3;
  const tracePath = resolve(opts.root, TRACE_FILE);
  const tmp = opts.tmp ?? mkdtempSync(join(tmpdir(), 'coda-adaptive-trace-'));
  const traceWithout = new Map<number, string>();
  const traceFor = (without?: number): string => {
    if (without === undefined) return tracePath;
    let p = traceWithout.get(without);
    if (!p) {
      const t = readDelayTrace(tracePath);
      // Worker at position i of the job replays column i (traceStreamFor, one column a worker):
      // without w's column, the workers after w keep theirs.
      if (t.columns.length !== workers) throw new Error(`${TRACE_FILE} has ${t.columns.length} columns; the bench replays one a worker (${workers})`);
      const keep = t.columns.map((_, i) => i).filter((i) => i !== without);
      const lines = [keep.map((i) => t.columns[i]).join(',')];
      for (let r = 0; r < t.values[0]!.length; r++) lines.push(keep.map((i) => String(t.values[i]![r])).join(','));
      p = join(tmp, `trace-without-${without}.csv`);
      writeFileSync(p, lines.join('\n') + '\n');
      traceWithout.set(without, p);
    }
    return p;
  };
  return [
    { name: 'none', description: 'no injected delay', chaos: () => ({ delay: { dist: 'none' } }) },
    { name: 'lambda-tail', description: 'lambda-tail, 10 ms base (×2.5 w.p. 0.05, ×9.4 w.p. 2/3000)', chaos: () => ({ delay: { dist: 'lambda-tail', base: 0.01 } }) },
    {
      name: 'slow-worker',
      description: `worker ${slow} slowed by 80 ms a unit of work, the others undelayed`,
      chaos: (without) => (without === slow ? { delay: { dist: 'none' } } : { delay: { dist: 'constant', value: 0.08 }, workers: [slow] }),
    },
    {
      name: 'trace',
      description: `${TRACE_FILE} replayed per task (×${TRACE_SCALE}: median 10 ms a unit), each worker its column`,
      chaos: (without) => ({ delay: { dist: 'trace', file: traceFor(without), mode: 'replay', scale: TRACE_SCALE, per: 'task' } }),
    },
    {
      name: 'markov',
      description: 'markov: 10 ms a unit, ×8 in slow periods (mean 1 s, every 4 s on average) per worker',
      chaos: () => ({ delay: { dist: 'markov', base: 0.01, factor: 8, normalDwell: 4, slowDwell: 1 } }),
    },
  ];
}
