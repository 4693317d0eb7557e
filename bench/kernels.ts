import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import {
  countSketchInto,
  denseOperator,
  jsKernels,
  rowSquaredNorms,
  selectKernels,
  solveColumnsBlock,
  solveUnitColumns,
  type KernelFn,
  type Kernels,
} from '../shared/kernels';
import { Rng } from '../shared/random';
import type { Matrix } from '../shared/tensor';
import { median } from './stats';

/**
 * `npm run bench -- kernels`: each hot kernel at the issue's sizes on the native backend
 * (OpenBLAS, one thread), on the plain loops, and in numpy on the same machine in the same run
 * (Debian's python3-numpy, OPENBLAS_NUM_THREADS=1, bench/kernels_numpy.py). A run repeats the call
 * until it lasts MIN_SECONDS; each row reports the median rate over RUNS runs with min-max.
 * Native, plain and numpy runs alternate so load drift on a shared machine hits all alike.
 *
 *   npm run bench -- kernels          (RUNS=5 MIN_SECONDS=0.2 PYTHON=/usr/bin/python3 by default)
 */
const RUNS = Math.max(5, Number(process.env.RUNS ?? 5));
const MIN_SECONDS = Number(process.env.MIN_SECONDS ?? 0.2);
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';

type Unit = 'GFLOP/s' | 'M entries/s';

interface KernelBench {
  name: string;
  size: string;
  unit: Unit;
  /** Flops (or entries) one call does, by the count the unit names. */
  work: number;
  /** The same kernel for bench/kernels_numpy.py. */
  spec: Record<string, unknown>;
  /** One call on a backend; undefined: no native form (the count sketch stays a loop). */
  call: (k: Kernels) => (() => unknown) | undefined;
  /** The plain-loop call when it is not call(jsKernels) (the column solves: one column at a time, as before). */
  plain?: () => unknown;
  /** The issue's goal for the native rate, in `unit`. */
  goal?: number;
  /** Other ways numpy users write it, timed beside the main numpy column and reported under the table. */
  numpyAlternatives?: { label: string; spec: Record<string, unknown> }[];
}

function randomMatrix(rows: number, cols: number, rng: Rng): Matrix {
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => rng.normal()) };
}
const vec = (n: number, rng: Rng, scale = 1): Float64Array => Float64Array.from({ length: n }, () => scale * rng.normal());
const labels = (n: number, rng: Rng): Float64Array => Float64Array.from({ length: n }, () => (rng.uniform() < 0.5 ? -1 : 1));

/**
 * The matrix in the memory the backend gives a worker's blocks (Kernels.allocate: huge pages on
 * the native backend, as numpy uses for its arrays; plain on the JS one, as before).
 */
function placed(k: Kernels, M: Matrix): Matrix {
  const data = new Float64Array(k.allocate(M.data.byteLength));
  data.set(M.data);
  return { rows: M.rows, cols: M.cols, data };
}

function benches(native: Kernels): KernelBench[] {
  const rng = new Rng(1);
  const tall = { n: 25_000, d: 200 };
  const A0 = randomMatrix(tall.n, tall.d, rng);
  const A = placed(native, A0);
  const x = vec(tall.d, rng);
  const b = vec(tall.n, rng);
  const y = labels(tall.n, rng);
  const w = vec(tall.d, rng, 0.05);
  const gramSize = { n: 5000, d: 300 };
  const G0 = randomMatrix(gramSize.n, gramSize.d, rng);
  const G = placed(native, G0);
  const gamma = Float64Array.from({ length: gramSize.n }, () => rng.uniform());
  const yG = labels(gramSize.n, rng);
  const wG = vec(gramSize.d, rng, 0.05);
  const gG = vec(gramSize.d, rng);
  const kb = { n: 2000, d: 20, m: 256, bandwidth: 3 };
  const X = randomMatrix(kb.n, kb.d, rng);
  const norms = rowSquaredNorms(X);
  const batch = Int32Array.from(rng.permutation(kb.n).slice(0, kb.m));
  const gaussian: KernelFn = { name: 'gaussian', bandwidth: kb.bandwidth };
  const Kb = new Float64Array(kb.m * kb.n);
  const pr = { points: 2000, blockRows: 256 };
  const P = randomMatrix(pr.points, kb.d, rng);
  const alpha = vec(kb.n, rng);
  const cs = { n: 1000, columns: 125, iterations: 5, shift: 2 };
  const M0 = randomMatrix(cs.n, cs.n, rng);
  for (let i = 0; i < cs.n; i++) M0.data[i * cs.n + i]! += cs.shift * Math.sqrt(cs.n);
  const M = placed(native, M0);
  // The plain loops read the plain copies (a worker's blocks before the native backend).
  const mem = (k: Kernels, nat: Matrix, plain: Matrix): Matrix => (k.name === 'native' ? nat : plain);
  const columns = Array.from(rng.permutation(cs.n).slice(0, cs.columns));
  const solveOpts = { tol: 0, maxIterations: cs.iterations };
  const sketchWidth = 2000;
  const lambda = 1e-3;
  const tallSize = `${tall.n}×${tall.d}`;
  const gramLabel = `${gramSize.n}×${gramSize.d}`;
  return [
    { name: 'matvec A·x', size: tallSize, unit: 'GFLOP/s', work: 2 * tall.n * tall.d, spec: { kind: 'matvec', ...tall }, call: (k) => () => k.matVec(mem(k, A, A0), x, new Float64Array(tall.n)) },
    { name: 'Aᵀ·v', size: tallSize, unit: 'GFLOP/s', work: 2 * tall.n * tall.d, spec: { kind: 'mattvec', ...tall }, call: (k) => () => k.matTVec(mem(k, A, A0), b, new Float64Array(tall.d)) },
    {
      name: 'least-squares gradient Aᵀ(Ax − b)',
      size: tallSize,
      unit: 'GFLOP/s',
      work: 4 * tall.n * tall.d,
      spec: { kind: 'gradient', ...tall },
      call: (k) => () => k.lsGradient(mem(k, A, A0), b, x, new Float64Array(tall.d)),
      goal: 5.5,
    },
    {
      name: 'logistic gradient Aᵀβ + loss',
      size: tallSize,
      unit: 'GFLOP/s',
      work: 4 * tall.n * tall.d,
      spec: { kind: 'logistic-gradient', ...tall },
      call: (k) => () => k.logisticGradientInto(mem(k, A, A0), y, w, new Float64Array(tall.d + 1)),
    },
    { name: 'Gram AᵀA (n·d² counted)', size: gramLabel, unit: 'GFLOP/s', work: gramSize.n * gramSize.d ** 2, spec: { kind: 'gram', ...gramSize }, call: (k) => () => k.gram(mem(k, G, G0), undefined, new Float64Array(gramSize.d ** 2)), goal: 37 },
    {
      name: 'weighted Gram Aᵀdiag(γ)A (Hessian block)',
      size: gramLabel,
      unit: 'GFLOP/s',
      work: gramSize.n * gramSize.d ** 2,
      spec: { kind: 'gram-weighted', ...gramSize },
      call: (k) => () => k.gram(mem(k, G, G0), gamma, new Float64Array(gramSize.d ** 2)),
    },
    {
      name: 'local Newton step (margins, Hessian, SPD solve)',
      size: gramLabel,
      unit: 'GFLOP/s',
      work: gramSize.n * gramSize.d ** 2 + gramSize.d ** 3 / 3,
      spec: { kind: 'local-newton', ...gramSize, lambda },
      call: (k) => () => k.localNewtonInto(mem(k, G, G0), yG, wG, gG, lambda, new Float64Array(gramSize.d)),
    },
    {
      name: 'Gaussian kernel block K(batch, X)',
      size: `${kb.m}×${kb.n}, d = ${kb.d}`,
      unit: 'M entries/s',
      work: (kb.m * kb.n) / 1e6,
      spec: { kind: 'kernel-block', ...kb },
      call: (k) => () => k.kernelRows(gaussian, X, batch, X, Kb, norms, norms),
      goal: 50,
    },
    {
      name: 'kernel predictions K(P, C)·α',
      size: `${pr.points}×${kb.n}, d = ${kb.d}`,
      unit: 'M entries/s',
      work: (pr.points * kb.n) / 1e6,
      spec: { kind: 'kernel-predict', n: kb.n, d: kb.d, bandwidth: kb.bandwidth, ...pr },
      call: (k) => () => k.kernelPredict(gaussian, P, X, alpha, pr.blockRows),
    },
    {
      name: `inverse column solves, ${cs.iterations} CG iterations`,
      size: `${cs.n}×${cs.n}, ${cs.columns} columns`,
      unit: 'GFLOP/s',
      work: (2 * cs.iterations + 4) * 2 * cs.n * cs.n * cs.columns,
      spec: { kind: 'column-solve', ...cs },
      call: (k) => () => solveColumnsBlock(k, mem(k, M, M0), columns, 'cg', solveOpts),
      // Before: the worker solved its columns one after another, a matrix-vector product at a time.
      plain: () => solveUnitColumns(denseOperator(M0), columns, 'cg', solveOpts),
    },
    {
      // numpy: the sketch as a scipy.sparse CSR matrix built outside the timed region, S @ A (as a
      // scipy user writes it); Coda's loop hashes each row inside its timed call.
      name: 'count sketch Sᵀ·A (a loop on both backends; numpy: scipy.sparse S @ A)',
      size: `${tallSize} → ${sketchWidth}`,
      unit: 'M entries/s',
      work: (tall.n * tall.d) / 1e6,
      spec: { kind: 'count-sketch', ...tall, width: sketchWidth },
      numpyAlternatives: [{ label: 'np.add.at (a known slow path)', spec: { kind: 'count-sketch-add-at', ...tall, width: sketchWidth } }],
      call: () => undefined,
      plain: () => countSketchInto(A0, undefined, 7, sketchWidth, 0, new Float64Array(sketchWidth * tall.d), 1, false),
    },
  ];
}

/** Seconds per call of one run: the call repeated until the run lasts MIN_SECONDS. */
function timeRun(fn: () => unknown): number {
  let calls = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    fn();
    calls++;
    elapsed = (performance.now() - t0) / 1000;
  } while (elapsed < MIN_SECONDS);
  return elapsed / calls;
}

interface Stat {
  median: number;
  min: number;
  max: number;
}
const rates = (secondsPerCall: number[], work: number, unit: Unit): Stat => {
  const r = secondsPerCall.map((s) => (unit === 'GFLOP/s' ? work / s / 1e9 : work / s));
  return { median: median(r), min: Math.min(...r), max: Math.max(...r) };
};

/** numpy's BLAS as kernels_numpy.py found it loaded: threadpoolctl's report, else the mapped libraries. */
interface BlasInfo {
  source: string;
  libraries: { internal_api?: string; version?: string; filepath: string; num_threads?: number }[];
}

/**
 * What makes the numpy column not a same-library comparison: numpy on another BLAS than
 * OpenBLAS, or on more than one thread. Empty when it is OpenBLAS on one thread.
 */
export function blasWarnings(info: BlasInfo): string[] {
  const warnings: string[] = [];
  const libs = info.libraries;
  if (libs.length === 0) warnings.push(`numpy's BLAS could not be identified (${info.source})`);
  else if (!libs.some((l) => (l.internal_api ?? '').includes('openblas') || /openblas/i.test(l.filepath))) warnings.push(`numpy is not on OpenBLAS: ${libs.map((l) => l.filepath).join(', ')}`);
  for (const l of libs) if (l.num_threads !== undefined && l.num_threads !== 1) warnings.push(`numpy's ${l.internal_api ?? 'BLAS'} runs ${l.num_threads} threads, not 1`);
  return warnings;
}

/** numpy in a child process (Debian's python3, one BLAS thread), asked for one run at a time. */
class NumpyPeer {
  private constructor(
    private readonly proc: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
    readonly version: string,
    readonly blas: string,
    readonly blasInfo: BlasInfo,
  ) {}

  static async start(): Promise<NumpyPeer | { error: string }> {
    if (!existsSync(PYTHON)) return { error: `${PYTHON} not found (apt-get install -y python3-numpy)` };
    const script = join(__dirname, '..', '..', 'bench', 'kernels_numpy.py');
    const proc = spawn(PYTHON, [script], { env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' } });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done) return { error: `numpy did not start: ${stderr.trim().split('\n').at(-1) ?? ''}` };
    const hello = JSON.parse(first.value) as { numpy: string; blas: string; blasInfo: BlasInfo };
    return new NumpyPeer(proc, lines, hello.numpy, hello.blas, hello.blasInfo);
  }

  async ask(msg: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.proc.stdin.write(`${JSON.stringify(msg)}\n`);
    const r = await this.lines.next();
    if (r.done) throw new Error('numpy exited');
    const reply = JSON.parse(r.value) as Record<string, unknown>;
    if (reply.error) throw new Error(`numpy: ${String(reply.error)}`);
    return reply;
  }

  close(): void {
    this.proc.stdin.end();
  }
}

const fmt = (s: Stat | undefined): string => (s ? `${s.median.toFixed(s.median < 10 ? 2 : 1)} (${s.min.toFixed(s.min < 10 ? 2 : 1)}–${s.max.toFixed(s.max < 10 ? 2 : 1)})` : '—');

export async function benchKernels(runs = RUNS): Promise<Record<string, unknown>> {
  const sel = selectKernels({ backend: 'native', threads: 1 });
  const native = sel.kernels;
  const list = benches(native);
  const load0 = loadavg()[0]!;
  const np = await NumpyPeer.start();
  const rows: { name: string; size: string; unit: Unit; native?: Stat; js: Stat; numpy?: Stat; goal?: number; numpyAlternatives?: { label: string; numpy: Stat }[] }[] = [];
  try {
    for (const k of list) {
      const nat = k.call(native);
      const plain = k.plain ?? k.call(jsKernels)!;
      nat?.();
      plain();
      if (np instanceof NumpyPeer) await np.ask({ setup: k.spec });
      const tn: number[] = [];
      const tj: number[] = [];
      const tp: number[] = [];
      // Interleaved: native, plain, numpy, native, ... so load drift hits all three alike.
      for (let r = 0; r < runs; r++) {
        if (nat) tn.push(timeRun(nat));
        tj.push(timeRun(plain));
        if (np instanceof NumpyPeer) tp.push((await np.ask({ run: MIN_SECONDS })).seconds as number);
      }
      const alternatives: { label: string; numpy: Stat }[] = [];
      if (np instanceof NumpyPeer) {
        for (const alt of k.numpyAlternatives ?? []) {
          await np.ask({ setup: alt.spec });
          const ta: number[] = [];
          for (let r = 0; r < runs; r++) ta.push((await np.ask({ run: MIN_SECONDS })).seconds as number);
          alternatives.push({ label: alt.label, numpy: rates(ta, k.work, k.unit) });
        }
      }
      const row = {
        name: k.name,
        size: k.size,
        unit: k.unit,
        ...(nat ? { native: rates(tn, k.work, k.unit) } : {}),
        js: rates(tj, k.work, k.unit),
        ...(tp.length ? { numpy: rates(tp, k.work, k.unit) } : {}),
        ...(k.goal ? { goal: k.goal } : {}),
        ...(alternatives.length ? { numpyAlternatives: alternatives } : {}),
      };
      rows.push(row);
      process.stderr.write(`${k.name}: native ${fmt(row.native)}, plain loops ${fmt(row.js)}, numpy ${fmt(row.numpy)} ${k.unit}\n`);
    }
  } finally {
    if (np instanceof NumpyPeer) np.close();
  }
  const load1 = loadavg()[0]!;

  const header = `Kernels, one thread each: native = ${sel.blas!.config.split(' ').slice(0, 2).join(' ')} (${sel.blas!.corename}) through the addon, plain = the JS loops, numpy = ${np instanceof NumpyPeer ? `numpy ${np.version} (${np.blas}), OPENBLAS_NUM_THREADS=1` : np.error}. Medians of ${runs} runs (min–max); load average ${load0.toFixed(2)} → ${load1.toFixed(2)}.`;
  const md = [
    '| kernel | size | unit | native | plain loops | numpy | native / numpy | native / plain | goal |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.size} | ${r.unit} | ${fmt(r.native)} | ${fmt(r.js)} | ${fmt(r.numpy)} | ${r.numpy ? (r.native ? (r.native.median / r.numpy.median).toFixed(2) : `${(r.js.median / r.numpy.median).toFixed(2)} (plain loop)`) : '—'} | ${r.native ? (r.native.median / r.js.median).toFixed(1) + '×' : '—'} | ${r.goal ? `≥ ${r.goal}${r.native ? (r.native.median >= r.goal ? ' ✓' : ' ✗') : ''}` : '≥ 0.8 numpy'} |`,
    ),
  ];
  const notes = rows.flatMap((r) => (r.numpyAlternatives ?? []).map((a) => `${r.name}: numpy written with ${a.label}: ${fmt(a.numpy)} ${r.unit} (the numpy column above: ${fmt(r.numpy)})`));
  const warnings = np instanceof NumpyPeer ? blasWarnings(np.blasInfo) : [];
  console.log(`\n${header}\n${warnings.map((w) => `WARNING: ${w}: the numpy column is not a same-library, one-thread comparison\n`).join('')}\n${md.join('\n')}\n${notes.length ? `\n${notes.join('\n')}\n` : ''}`);
  return {
    setup: { runs, minSeconds: MIN_SECONDS, blas: sel.blas, numpy: np instanceof NumpyPeer ? { version: np.version, blas: np.blas, blasInfo: np.blasInfo, warnings } : np, loadAverage: [load0, load1] },
    rows,
  };
}
