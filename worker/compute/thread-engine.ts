import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { ClusterError } from '../../shared/errors';
import type { Logger } from '../../shared/log';
import type { pb } from '../../shared/wire';
import type { StoredBlock } from '../block-store';
import type { StepOutcome } from '../task-kinds';
import type { ComputeAnswer, ComputeEngine, LoopHandle, LoopRequest } from './engine';
import { errorFromMessage } from './errors';
import type { BlockMessage, FromThread, LoopOpened, RunAnswer, SharedView, ThreadData, ToThread } from './protocol';

/**
 * The thread's entry: thread-main.js beside this file once built. Run from the TypeScript sources
 * (the tests), the build's copy: a thread cannot load .ts, so tests that start threads need a
 * fresh `npm run build`, like the cluster tests.
 */
export function threadEntry(): string {
  if (__filename.endsWith('.js')) return join(__dirname, 'thread-main.js');
  let dir = __dirname;
  for (let i = 0; i < 8 && !existsSync(join(dir, 'package.json')); i++) dir = dirname(dir);
  return join(dir, 'dist', 'worker', 'compute', 'thread-main.js');
}

let gcExposed = false;
/**
 * Threads started from now on get `gc()` (V8's flag is per process, read when an isolate starts):
 * a compute thread collects the copies of the requests it received every few tens of MB
 * (thread-main.ts), which V8 left alone on threads that allocate little else.
 */
function exposeGcToThreads(): void {
  if (gcExposed) return;
  gcExposed = true;
  setFlagsFromString('--expose-gc');
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; dropped: boolean };

/** A Float64Array in shared memory (a copy when it is not: blocks of a store made for the inline path). */
function sharedView(v: Float64Array): SharedView {
  if (v.buffer instanceof SharedArrayBuffer) return { buffer: v.buffer, byteOffset: v.byteOffset, length: v.length };
  const copy = new Float64Array(new SharedArrayBuffer(v.byteLength));
  copy.set(v);
  return { buffer: copy.buffer as SharedArrayBuffer, byteOffset: 0, length: v.length };
}

function blockMessage(jobId: string, id: number, b: StoredBlock): BlockMessage {
  return { jobId, id, rowOffset: b.rowOffset, rows: b.A.rows, cols: b.A.cols, a: sharedView(b.A.data), ...(b.rhs ? { rhs: sharedView(b.rhs) } : {}) };
}

/**
 * A worker service's compute thread, as its event loop sees it. The thread starts with the first
 * block placed or the first task, whichever comes first (an idle service costs no thread: 256
 * services on two cores start in seconds, and a thread costs about 12-16 MB and 60 ms of CPU to
 * start), and is sent every block the store holds then, and each change after. A task the master cancels resolves
 * null at once; the thread is told to abort it (a long kind stops at its next yield) and its
 * answer, if one still comes, is dropped. A thread that dies fails what it had pending with a
 * ClusterError and is started afresh by the next task.
 */
export class ThreadEngine implements ComputeEngine {
  readonly mode = 'thread' as const;
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private nextLoop = 1;
  private closed = false;

  constructor(
    private readonly data: ThreadData,
    /** Every block the store holds, for a thread that starts. */
    private readonly stored: () => Iterable<[string, number, StoredBlock]>,
    private readonly log: Logger,
    private readonly entry = threadEntry(),
  ) {}

  allocate(bytes: number): SharedArrayBuffer {
    return new SharedArrayBuffer(bytes);
  }

  /** Whether the thread is running (it starts on the first task). */
  get started(): boolean {
    return this.worker !== undefined;
  }

  private ensure(): Worker {
    if (this.closed) throw new ClusterError('the worker service has stopped computing');
    if (this.worker) return this.worker;
    exposeGcToThreads();
    const w = new Worker(this.entry, { workerData: this.data });
    // An idle thread keeps no process alive; pending work is held by the calls it answers.
    w.unref();
    w.on('message', (m: FromThread) => this.settle(m));
    w.on('error', (e) => this.ended(w, `failed: ${e.message}`));
    w.on('exit', (code) => this.ended(w, `exited with code ${code}`));
    this.worker = w;
    for (const [jobId, id, b] of this.stored()) this.post({ t: 'put', block: blockMessage(jobId, id, b) });
    this.log.debug({ kernels: this.data.kernels }, 'compute thread started');
    return w;
  }

  private ended(w: Worker, how: string): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    const err = new ClusterError(`the worker's compute thread ${how}`);
    if (!this.closed) this.log.error({ err: err.message }, 'compute thread ended');
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) if (!p.dropped) p.reject(err);
  }

  private settle(m: FromThread): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (p.dropped) return;
    if (m.t === 'ok') p.resolve(m.value);
    else p.reject(errorFromMessage(m.error));
  }

  private post(m: ToThread, transfer: ArrayBuffer[] = []): void {
    this.worker?.postMessage(m, transfer);
  }

  /** Posts a request with a fresh id; resolves with the thread's reply. */
  private request<T>(make: (id: number) => ToThread): { id: number; reply: Promise<T> } {
    let w: Worker;
    try {
      w = this.ensure();
    } catch (e) {
      return { id: 0, reply: Promise.reject(e as Error) };
    }
    const id = this.nextId++;
    const reply = new Promise<T>((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, dropped: false }));
    w.postMessage(make(id));
    return { id, reply };
  }

  blockPut(jobId: string, id: number, block: StoredBlock): void {
    if (this.closed) return;
    // Blocks come before a job's tasks: the thread starts now, while the rest is still placed
    // (it is sent every stored block, this one included, as it starts).
    if (!this.worker) this.ensure();
    else this.post({ t: 'put', block: blockMessage(jobId, id, block) });
  }

  blockDrop(jobId: string, ids: readonly number[] | null): void {
    if (this.worker) this.post({ t: 'drop', jobId, ids: ids ? [...ids] : null });
  }

  blockClear(): void {
    if (this.worker) this.post({ t: 'clear' });
  }

  async run(request: pb.TaskRequest__Output, signal: AbortSignal): Promise<ComputeAnswer | null> {
    if (signal.aborted) return null;
    const { id, reply } = this.request<RunAnswer>((id) => ({ t: 'run', id, request, postedAtMs: performance.timeOrigin + performance.now() }));
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<null>((resolve) => {
      onAbort = () => {
        const p = this.pending.get(id);
        if (p) p.dropped = true;
        this.post({ t: 'abort', id });
        resolve(null);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const r = await Promise.race([reply, aborted]);
      if (!r) return null;
      return { shape: r.shape, values: r.values, computeSeconds: r.computeMs / 1000, waitedSeconds: r.waitedMs / 1000, ...(r.iterations !== undefined ? { iterations: r.iterations } : {}) };
    } finally {
      signal.removeEventListener('abort', onAbort!);
    }
  }

  async openLoop(o: LoopRequest): Promise<LoopHandle> {
    const loop = this.nextLoop++;
    const slice = o.slice ? { buffer: o.slice.buffer, start: o.slice.start, length: o.slice.length, describe: o.describeSlice } : undefined;
    const opened = await this.request<LoopOpened>((id) => ({ t: 'loopOpen', id, loop, jobId: o.jobId, ownBlock: o.ownBlock, seed: o.seed, batchSize: o.batchSize, ...(slice ? { slice } : {}) })).reply;
    return {
      start: opened.start,
      end: opened.end,
      centers: opened.centers,
      batch: opened.batch,
      alpha: new Float64Array(opened.alpha),
      step: (fixed, tauHat, write) => this.request<StepOutcome>((id) => ({ t: 'loopStep', id, loop, fixed, tauHat, write })).reply,
      writeOwn: () => this.request<{ version: number; writtenAtUs: number }>((id) => ({ t: 'loopWrite', id, loop })).reply,
      takeDelta: () => this.request<Float64Array>((id) => ({ t: 'loopTake', id, loop })).reply,
      close: () => this.post({ t: 'loopClose', loop }),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    if (!w) return;
    await w.terminate();
    this.ended(w, 'was stopped');
  }
}
