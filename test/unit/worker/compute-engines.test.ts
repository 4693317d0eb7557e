import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterError, InputError, ShapeError } from '../../../shared/errors';
import { jsKernels, type Kernels } from '../../../shared/kernels';
import { createLogger } from '../../../shared/log';
import { Rng } from '../../../shared/random';
import { float64ToBytes } from '../../../shared/tensor';
import type { pb } from '../../../shared/wire';
import { BlockStore } from '../../../worker/block-store';
import { defaultAddon, InlineEngine, ThreadEngine, type ComputeEngine } from '../../../worker/compute';
import { SharedSlice } from '../../../worker/shared-slice';
import { defaultTaskBudget } from '../../../worker/task-budget';
import { KINDS, type StepOutcome } from '../../../worker/task-kinds';
import { staleDist } from '../../helpers/dist-fresh';
import { nativeKernelsOrSkip } from '../../helpers/native-kernels';

const log = createLogger('test');
const budget = defaultTaskBudget();
const JOB = 'eq';

const tensor = (v: Float64Array, shape = [v.length]): pb.Tensor__Output => ({ shape, data: Buffer.from(float64ToBytes(v)) }) as pb.Tensor__Output;
const bytes = (v: Float64Array): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/** A worker service's compute side and its block store, as worker.ts wires them. */
function service(make: (stored: () => Iterable<[string, number, import('../../../worker/block-store').StoredBlock]>) => ComputeEngine): { engine: ComputeEngine; store: BlockStore } {
  let store: BlockStore;
  const engine = make(() => store.entries());
  store = new BlockStore((n) => engine.allocate(n), engine);
  return { engine, store };
}

/** Places a block through the store (into the engine's memory), as LoadBlocks does. */
function place(store: BlockStore, id: number, rows: number, cols: number, rowOffset: number, rng: Rng, labels = false): void {
  const buf = store.allocate(8 * (rows * cols + rows));
  const all = new Float64Array(buf);
  for (let i = 0; i < rows * cols; i++) all[i] = rng.normal();
  for (let i = 0; i < rows; i++) all[rows * cols + i] = labels ? (rng.uniform() < 0.5 ? -1 : 1) : rng.normal();
  store.put(JOB, id, { A: { rows, cols, data: all.subarray(0, rows * cols) }, rhs: all.subarray(rows * cols), rowOffset });
}

const base = (blocks: [number, number][], kind: string, fields: Record<string, unknown>): pb.TaskRequest__Output =>
  ({ jobId: JOB, round: '1', slot: 0, work: 1, blocks: blocks.map(([blockId, weight]) => ({ blockId, weight })), kind, [kind]: fields }) as unknown as pb.TaskRequest__Output;

/**
 * One request per thread kind (the typed table says which kinds run on the thread: a kind added
 * there without a case here fails the completeness check below). Blocks: 0-2 are 30×6 row blocks
 * (rows 0-89) of one data set with targets, 3 is 12×12 (square), 4 is 40×6 with ±1 labels.
 */
function requests(rng: Rng): Record<string, pb.TaskRequest__Output[]> {
  const v = (n: number): Float64Array => Float64Array.from({ length: n }, () => rng.normal());
  const kernel = { name: 'gaussian', bandwidth: 2 };
  return {
    matvec: [base([[0, 0.5], [1, 2]], 'matvec', { x: tensor(v(6)) })],
    mattvec: [base([[0, 1], [1, -1]], 'mattvec', { v: tensor(v(60)) })],
    lsGradient: [base([[0, 1], [2, 0.25]], 'lsGradient', { x: tensor(v(6)) }), base([[1, 1]], 'lsGradient', { x: tensor(v(12), [2, 6]) })],
    gram: [base([[0, 1], [1, 3]], 'gram', { d: tensor(v(60)) }), base([[2, 1]], 'gram', { d: { shape: [], data: Buffer.alloc(0) } })],
    countSketch: [base([[0, 1], [1, 1]], 'countSketch', { scale: tensor(v(60)), seed: '9', width: 7, gram: false }), base([[2, 2]], 'countSketch', { scale: null, seed: '3', width: 5, gram: true })],
    logisticGradient: [base([[4, 1]], 'logisticGradient', { w: tensor(v(6)) })],
    localNewton: [base([[4, 0.5]], 'localNewton', { w: tensor(v(6)), g: tensor(v(6)), lambda: 0.1 })],
    logisticLoss: [base([[4, 1]], 'logisticLoss', { w: tensor(v(6)), p: tensor(v(6)), steps: tensor(Float64Array.from([0.5, 1, 2])) })],
    solveColumns: [
      base([[3, 1]], 'solveColumns', { target: 'inverse', columns: [0, 3, 7], solver: 'cg', tol: 1e-10, maxIterations: 200 }),
      base([[0, 1]], 'solveColumns', { target: 'pseudoinverse', columns: [1, 2], solver: 'sd', tol: 1e-8, maxIterations: 300 }),
    ],
    eigenproSetup: [base([[1, 1], [0, 1], [2, 1]], 'eigenproSetup', { kernel, ownBlock: 1, nystromSize: 20, topQ: 4, seed: '5' })],
    eigenproStep: [base([[1, 1], [0, 1], [2, 1]], 'eigenproStep', { alpha: tensor(v(90)), batchSize: 8, step: 0.5, gradientScale: 1 / 8, seed: '6' })],
  };
}

async function runAll(engine: ComputeEngine, reqs: Record<string, pb.TaskRequest__Output[]>): Promise<Record<string, Float64Array[]>> {
  const out: Record<string, Float64Array[]> = {};
  // In order: the step needs the setup's preconditioner.
  for (const [kind, list] of Object.entries(reqs)) {
    out[kind] = [];
    for (const r of list) out[kind]!.push((await engine.run(r, new AbortController().signal))!.values);
  }
  return out;
}

/** An AsyncEigenPro loop's compute side: three steps written in place into a shared slice, one taken back. */
async function loopRun(engine: ComputeEngine, alpha: Float64Array): Promise<{ steps: StepOutcome[]; slice: Float64Array; taken: Float64Array }> {
  const slice = SharedSlice.create(30, new Float64Array(30), 0);
  const loop = await engine.openLoop({ jobId: JOB, ownBlock: 1, seed: '11', batchSize: 8, slice, describeSlice: 'slice 1' });
  expect([loop.start, loop.end, loop.centers, loop.batch]).toEqual([30, 60, 90, 8]);
  const steps: StepOutcome[] = [];
  for (let k = 0; k < 3; k++) {
    loop.alpha.set(alpha);
    loop.alpha.set(slice.read().values!, 30);
    const s = await loop.step(k === 1 ? 0.3 : 0, 7, k !== 2);
    steps.push({ ...s, computeSeconds: 0, ...(s.wrote ? { wrote: { version: s.wrote.version, writtenAtUs: 0 } } : {}) });
    if (k === 2) await loop.writeOwn();
  }
  await loop.step(0, 1, false);
  const taken = await loop.takeDelta();
  await expect(loop.takeDelta()).rejects.toThrow(InputError);
  loop.close();
  return { steps, slice: slice.read().values!, taken };
}

describe('the compute thread and the inline path give the same answers, bit for bit', () => {
  const engines: ComputeEngine[] = [];
  beforeAll(() => {
    const stale = staleDist();
    if (stale) throw new Error(stale);
  });
  afterAll(async () => {
    await Promise.all(engines.map((e) => e.close()));
  });

  it('the table lists every thread kind this test runs', () => {
    const threadKinds = Object.entries(KINDS).filter(([, s]) => s.runs === 'thread').map(([k]) => k).sort();
    expect(Object.keys(requests(new Rng(1))).sort()).toEqual(threadKinds);
  });

  const backends: [string, () => Kernels | undefined][] = [
    ['js', () => jsKernels],
    ['native', () => nativeKernelsOrSkip('unit: compute engines')],
  ];
  it.each(backends)('every thread kind and the AsyncEigenPro step, %s kernels', async (name, get) => {
    const kernels = get();
    if (!kernels) return;
    const inline = service(() => new InlineEngine(kernels, budget));
    const thread = service((stored) => new ThreadEngine({ kernels: kernels.name, addon: defaultAddon(), budget }, stored, log));
    engines.push(inline.engine, thread.engine);
    expect(thread.engine.allocate(8)).toBeInstanceOf(SharedArrayBuffer);
    for (const s of [inline, thread]) {
      const rng = new Rng(21);
      place(s.store, 0, 30, 6, 0, rng);
      place(s.store, 1, 30, 6, 30, rng);
      place(s.store, 2, 30, 6, 60, rng);
      place(s.store, 3, 12, 12, 0, rng);
      place(s.store, 4, 40, 6, 0, rng, true);
    }
    const reqs = requests(new Rng(4));
    const a = await runAll(inline.engine, reqs);
    const b = await runAll(thread.engine, reqs);
    for (const kind of Object.keys(reqs)) {
      a[kind]!.forEach((v, i) => {
        expect(v.length, `${kind} #${i}`).toBeGreaterThanOrEqual(kind === 'noop' ? 0 : 1);
        expect(bytes(b[kind]![i]!).equals(bytes(v)), `${name}: ${kind} #${i} differs between thread and inline`).toBe(true);
      });
    }
    const alpha = Float64Array.from({ length: 90 }, (_, i) => Math.sin(i) / 10);
    const la = await loopRun(inline.engine, alpha);
    const lb = await loopRun(thread.engine, alpha);
    expect(lb.steps).toEqual(la.steps);
    expect(la.steps.map((s) => s.wrote?.version)).toEqual([1, 2, undefined]);
    expect(bytes(lb.slice).equals(bytes(la.slice))).toBe(true);
    expect(bytes(lb.taken).equals(bytes(la.taken))).toBe(true);

    // A block dropped from the store is gone from the thread too; errors keep their class.
    for (const s of [inline, thread]) {
      s.store.drop(JOB, [2]);
      await expect(s.engine.run(reqs.gram![1]!, new AbortController().signal)).rejects.toThrow(/block 2 of job 'eq' is not stored/);
      await expect(s.engine.run(base([[0, 1], [3, 1]], 'matvec', { x: tensor(new Float64Array(6)) }), new AbortController().signal)).rejects.toThrow(ShapeError);
    }
  });
});

describe('the compute thread: cancellation, a thread that dies', () => {
  beforeAll(() => {
    const stale = staleDist();
    if (stale) throw new Error(stale);
  });

  it('a cancelled column solve resolves at once and stops on the thread: the next task runs', async () => {
    const s = service((stored) => new ThreadEngine({ kernels: 'js', addon: defaultAddon(), budget }, stored, log));
    try {
      place(s.store, 0, 120, 120, 0, new Rng(3));
      // tol 0: it would iterate ten million times (hours) unless the abort reaches it.
      const solve = base([[0, 1]], 'solveColumns', { target: 'inverse', columns: Array.from({ length: 60 }, (_, i) => i), solver: 'sd', tol: 0, maxIterations: 10_000_000 });
      const ac = new AbortController();
      const running = s.engine.run(solve, ac.signal);
      // The solve is on the thread once a task posted after it has been received: a matvec sent
      // now waits behind it; abort, and both settle.
      const after = s.engine.run(base([[0, 1]], 'matvec', { x: tensor(new Float64Array(120)) }), new AbortController().signal);
      await new Promise((r) => setTimeout(r, 50));
      ac.abort();
      await expect(running).resolves.toBeNull();
      const next = await after;
      expect(next?.shape).toEqual([120]);
      // The matvec waited for the solve to stop, on the thread: the loop was never the one waiting.
      expect(next!.waitedSeconds).toBeGreaterThan(0);
    } finally {
      await s.engine.close();
    }
  });

  it('a thread that dies fails what it had pending with a ClusterError; a closed engine refuses work', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-thread-'));
    const entry = join(dir, 'dies.js');
    writeFileSync(entry, "require('node:worker_threads').parentPort.once('message', () => process.exit(7));\n");
    const e = new ThreadEngine({ kernels: 'js', addon: defaultAddon(), budget }, () => [], log, entry);
    await expect(e.run(base([], 'matvec', { x: tensor(new Float64Array(0)) }), new AbortController().signal)).rejects.toThrow(/compute thread exited with code 7/);
    await expect(e.run(base([], 'matvec', { x: tensor(new Float64Array(0)) }), new AbortController().signal)).rejects.toThrow(ClusterError);
    await e.close();
    await expect(e.run(base([], 'matvec', { x: tensor(new Float64Array(0)) }), new AbortController().signal)).rejects.toThrow(/stopped computing/);
  });
});
