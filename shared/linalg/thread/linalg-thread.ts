import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CancelledError, CodaError, InputError } from '../../errors';
import type { Matrix } from '../../tensor';
import type { LinalgChoice } from '../select';
import type { AsyncLinalg, Linalg, LinalgBackendName, LinalgOp } from '../types';
import { fromWireError, type CallReply, type CallRequest, type ThreadInit, type ThreadReady } from './protocol';

/**
 * The master's linear algebra on compute threads (worker_threads), so a factorization never
 * holds up the event loop that answers gRPC, keepalives and heartbeats:
 *
 *   const la = await linalgThread({ blasThreads: 1 });
 *   const { x, rcond } = await la.solve(A, b);      // LAPACK on the thread; typed errors as inline
 *   await la.close();
 *
 * The same functions as the inline Linalg (selectLinalg), so the answers are the same bits.
 * Inputs in a SharedArrayBuffer (sharedMatrix) are read in place; any other input is copied
 * once and that copy moved to the thread; results come back moved, never copied. An error in
 * the thread is the same class here. Idle threads do not keep the process alive.
 *
 * Threads: `threads` compute threads (default 1: the master factors one matrix at a time), each
 * answering its calls in order; a call goes to the thread with the fewest outstanding. OpenBLAS's
 * thread count is process-wide: the first thread sets it to `blasThreads` (default 1) before any
 * call, once. On a machine shared with workers, keep one BLAS thread per compute thread;
 * resolveLinalgThreadOptions reads CODA_THREADS for a master that has the machine to itself.
 */
export interface LinalgThreadOptions extends LinalgChoice {
  /** Compute threads (default 1). */
  threads?: number;
  /** OpenBLAS threads for the whole process, set once at start (default 1). */
  blasThreads?: number;
  /**
   * The compiled thread entry; default thread-main.js beside this module (or its dist/ copy when
   * run from the sources). A role with operations of its own gives its entry (serveComputeThread).
   */
  entry?: string;
}

/** thread-main.js: beside this file when compiled; from the TypeScript sources (tests), the dist/ copy. */
export function defaultThreadEntry(): string {
  return compiledEntry(__dirname, 'thread-main.js');
}

/**
 * A thread entry `file` in the folder `dir` of the sources: there when compiled; from the
 * TypeScript sources (tests, whose modules live in the sources), its dist/ copy.
 */
export function compiledEntry(dir: string, file: string): string {
  const here = join(dir, file);
  if (existsSync(here)) return here;
  let root = dir;
  for (let i = 0; i < 8 && !existsSync(join(root, 'package.json')); i++) root = dirname(root);
  const built = join(root, 'dist', relative(root, dir), file);
  if (existsSync(built)) return built;
  throw new Error(`compute thread: no ${file} in ${dir} nor at ${built}: run npm run build`);
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/** One worker thread and the calls it has not answered yet. */
class ComputeThread {
  readonly pending = new Map<number, Pending>();
  readonly ready: Promise<ThreadReady>;
  /** It said it was ready (a thread that dies before that is not replaced: it would fail again). */
  started = false;
  dead = false;

  constructor(
    private readonly worker: Worker,
    private readonly onDeath: (t: ComputeThread) => void,
  ) {
    this.ready = new Promise((resolve, reject) => {
      worker.once('message', (m: ThreadReady) => {
        worker.on('message', (r: CallReply) => this.answer(r));
        if (m.kind === 'ready') this.started = true;
        else this.die(fromWireError(m.error));
        // Referenced until here, so a caller awaiting the start keeps the process alive.
        if (this.pending.size === 0) worker.unref();
        resolve(m);
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new CodaError(`linalg thread exited with code ${code} before it was ready`)));
    });
    // A replacement thread's start is awaited by nobody: its pending calls carry any failure.
    this.ready.catch(() => undefined);
    worker.on('error', (e) => this.die(new CodaError(`linalg thread failed: ${e.message}`, undefined, { cause: e })));
    worker.on('exit', (code) => this.die(new CodaError(`linalg thread exited (code ${code})`)));
  }

  send(req: CallRequest, transfer: ArrayBuffer[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.dead) return reject(new CodaError('linalg thread is not running'));
      this.pending.set(req.id, { resolve, reject });
      // While a call is out the thread keeps the process alive (its answer is awaited); idle, it does not.
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage(req, transfer);
    });
  }

  private answer(r: CallReply): void {
    const p = this.pending.get(r.id);
    if (!p) return;
    this.pending.delete(r.id);
    if (this.pending.size === 0) this.worker.unref();
    if (r.ok) p.resolve(r.result);
    else p.reject(fromWireError(r.error));
  }

  die(reason: Error): void {
    if (this.dead) return;
    this.dead = true;
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
    this.worker.unref();
    this.onDeath(this);
  }

  async terminate(): Promise<void> {
    this.die(new CancelledError('linalg thread pool closed'));
    await this.worker.terminate();
  }
}

/** A Matrix's or vector's values ready to post: shared memory as it is, anything else copied once and moved. */
function prepareArgs(args: readonly unknown[]): { args: unknown[]; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const move = (a: Float64Array, n: number): Float64Array => {
    if (a.buffer instanceof SharedArrayBuffer) return a;
    const copy = a.slice(0, n);
    transfer.push(copy.buffer);
    return copy;
  };
  const out = args.map((v) => {
    if (v instanceof Float64Array) return move(v, v.length);
    if (v !== null && typeof v === 'object' && 'data' in v && (v as Matrix).data instanceof Float64Array) {
      const M = v as Matrix;
      return { rows: M.rows, cols: M.cols, data: move(M.data, Math.min(M.data.length, M.rows * M.cols)) };
    }
    return v;
  });
  return { args: out, transfer };
}

export class LinalgThreadPool implements AsyncLinalg {
  private readonly threads: ComputeThread[] = [];
  private nextId = 1;
  private closed = false;

  private constructor(
    readonly name: LinalgBackendName,
    private readonly init: ThreadInit,
    private readonly entry: string,
    /** Present when 'auto' fell back to ml-matrix: one line for stderr. */
    readonly warning: string | undefined,
    /** The BLAS library's configuration and thread count, on the native backend. */
    readonly blas: { config: string; threads: number } | undefined,
  ) {}

  static async start(o: LinalgThreadOptions = {}): Promise<LinalgThreadPool> {
    const count = o.threads ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new InputError(`linalg threads must be a positive integer, got ${count}`);
    const blasThreads = o.blasThreads ?? 1;
    if (!Number.isInteger(blasThreads) || blasThreads < 1) throw new InputError(`BLAS threads must be a positive integer, got ${blasThreads}`);
    const entry = o.entry ?? defaultThreadEntry();
    const init: ThreadInit = { backend: o.backend ?? 'auto', ...(o.addon ? { addon: o.addon } : {}) };
    // The first thread sets the BLAS thread count before any other thread exists.
    const holder: { pool?: LinalgThreadPool } = {};
    const first = new ComputeThread(new Worker(entry, { workerData: { ...init, blasThreads } satisfies ThreadInit }), (t) => holder.pool?.replace(t));
    let ready: ThreadReady;
    try {
      ready = await first.ready;
    } catch (e) {
      await first.terminate();
      throw e;
    }
    if (ready.kind === 'failed') {
      await first.terminate();
      throw fromWireError(ready.error);
    }
    // The others use what the first chose, so one pool never mixes backends.
    const pool = new LinalgThreadPool(ready.name, { ...init, backend: ready.name }, entry, ready.warning, ready.blas);
    holder.pool = pool;
    pool.threads.push(first);
    for (let i = 1; i < count; i++) pool.spawn();
    return pool;
  }

  private spawn(): ComputeThread {
    const t = new ComputeThread(new Worker(this.entry, { workerData: this.init }), (dead) => this.replace(dead));
    this.threads.push(t);
    return t;
  }

  /** A thread that died (a crash, an out-of-memory) is replaced by a fresh one for the next calls. */
  private replace(dead: ComputeThread): void {
    const i = this.threads.indexOf(dead);
    if (i >= 0) this.threads.splice(i, 1);
    if (!this.closed && dead.started) this.spawn();
  }

  private call<K extends LinalgOp>(op: K, args: Parameters<Linalg[K]>): Promise<ReturnType<Linalg[K]>> {
    return this.send(op, args) as Promise<ReturnType<Linalg[K]>>;
  }

  /**
   * One of the operations the threads' entry added beside the linear algebra (serve.ts's
   * ThreadOps, by name), with its arguments: answered in order with the linear algebra calls.
   * Arguments go as the linear algebra's do (shared memory read in place, a top-level Matrix or
   * vector copied once and moved, anything else structured-cloned); the result comes back moved.
   */
  run(op: string, args: readonly unknown[]): Promise<unknown> {
    return this.send(op, args);
  }

  private send(op: string, args: readonly unknown[]): Promise<unknown> {
    if (this.closed) return Promise.reject(new CancelledError('linalg thread pool closed'));
    const live = this.threads.filter((t) => !t.dead);
    if (live.length === 0) return Promise.reject(new CodaError('linalg thread pool: no compute thread is running (each failed at its start)'));
    const thread = live.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const prepared = prepareArgs(args);
    return thread.send({ id: this.nextId++, op, args: prepared.args }, prepared.transfer);
  }

  readonly matMul: AsyncLinalg['matMul'] = (...a) => this.call('matMul', a);
  readonly gram: AsyncLinalg['gram'] = (...a) => this.call('gram', a);
  readonly qr: AsyncLinalg['qr'] = (...a) => this.call('qr', a);
  readonly eigh: AsyncLinalg['eigh'] = (...a) => this.call('eigh', a);
  readonly svd: AsyncLinalg['svd'] = (...a) => this.call('svd', a);
  readonly lu: AsyncLinalg['lu'] = (...a) => this.call('lu', a);
  readonly solve: AsyncLinalg['solve'] = (...a) => this.call('solve', a);
  readonly inv: AsyncLinalg['inv'] = (...a) => this.call('inv', a);
  readonly cholesky: AsyncLinalg['cholesky'] = (...a) => this.call('cholesky', a);
  readonly solveSpd: AsyncLinalg['solveSpd'] = (...a) => this.call('solveSpd', a);
  readonly lstsq: AsyncLinalg['lstsq'] = (...a) => this.call('lstsq', a);
  readonly kernelMatrix: AsyncLinalg['kernelMatrix'] = (...a) => this.call('kernelMatrix', a);
  readonly kernelPredict: AsyncLinalg['kernelPredict'] = (...a) => this.call('kernelPredict', a);

  /** Calls still out, over all threads. */
  get outstanding(): number {
    return this.threads.reduce((s, t) => s + t.pending.size, 0);
  }

  /** Stops every thread; calls still out reject with CancelledError. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.threads.map((t) => t.terminate()));
  }
}

/** Starts a pool of compute threads for the master's linear algebra (see LinalgThreadPool). */
export function linalgThread(o: LinalgThreadOptions = {}): Promise<LinalgThreadPool> {
  return LinalgThreadPool.start(o);
}
