import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { StoredBlock } from '../block-store';
import { SharedSlice } from '../shared-slice';
import { errorToMessage } from './errors';
import { Executor } from './executor';
import type { pb } from '../../shared/wire';
import type { BlockMessage, FromThread, LoopOpened, RunAnswer, SharedView, ThreadData, ToThread } from './protocol';
import { LoopPriority } from './loop-priority';
import { threadKernels, threadScheduling } from './thread-kernels';

/** How much lower a compute thread's priority is than its event loop's (nice steps: ×1.25 CPU weight each). */
const COMPUTE_NICE = 5;

/**
 * A worker service's compute thread (started by thread-engine.ts): an Executor over the service's
 * blocks, seen in shared memory, answering the event loop's requests one message at a time. A
 * long kind yields now and then (solveColumns), so an abort reaches it between its iterations.
 */
const port = parentPort!;
const data = workerData as ThreadData;
// The event loop that serves the wire runs first whenever both want a core: this thread takes a
// lower scheduling priority (Linux keeps the nice value per thread; setpriority on 0 renices the
// calling thread only). Where that is refused or unsupported, it computes at the loop's priority.
try {
  setPriority(0, Math.min(19, getPriority(0) + COMPUTE_NICE));
} catch {
  // not permitted here: same priority as the loop
}
const exec = new Executor(threadKernels(data.kernels, data.addon), data.budget);
const loopPriority = new LoopPriority(data.loopIdle ? threadScheduling(data.addon) : undefined);
const aborts = new Map<number, AbortController>();

/**
 * Bytes of request tensors this thread received (each a structured-clone copy) since it last
 * collected its garbage, and how many it lets pile up. A compute thread allocates little on its
 * own JS heap, so V8 rarely collects it, and the copies of the requests it has finished with stay
 * in memory until then: with 90 services a process and a 1.6 MB vector a task (OverSketched
 * Newton's Xᵀβ at n = 200000), a worker process grew to 11.8 GB and was killed. thread-engine.ts
 * exposes `gc` to the threads; without it nothing changes.
 */
let receivedBytes = 0;
const COLLECT_EVERY_BYTES = 32 << 20;
const collect = (globalThis as { gc?: () => void }).gc;

function requestBytes(r: pb.TaskRequest__Output): number {
  let n = 0;
  const visit = (v: unknown, depth: number): void => {
    if (depth > 4 || v === null || typeof v !== 'object') return;
    if (ArrayBuffer.isView(v)) {
      n += v.byteLength;
      return;
    }
    for (const x of Object.values(v)) visit(x, depth + 1);
  };
  visit(r, 0);
  return n;
}

/** Collects once the requests' copies since the last collection pass COLLECT_EVERY_BYTES. */
function noteReceived(r: pb.TaskRequest__Output): void {
  if (!collect) return;
  receivedBytes += requestBytes(r);
  if (receivedBytes < COLLECT_EVERY_BYTES) return;
  receivedBytes = 0;
  collect();
}

const view = (v: SharedView): Float64Array => new Float64Array(v.buffer, v.byteOffset, v.length);

function blockOf(b: BlockMessage): StoredBlock {
  return { A: { rows: b.rows, cols: b.cols, data: view(b.a) }, ...(b.rhs ? { rhs: view(b.rhs) } : {}), rowOffset: b.rowOffset };
}

const reply = (m: FromThread, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
const ok = (id: number, value: unknown, transfer?: ArrayBuffer[]): void => reply({ t: 'ok', id, value }, transfer);
const fail = (id: number, e: unknown): void => reply({ t: 'error', id, error: errorToMessage(e) });

/** The answer's values as a buffer of their own, to transfer without a copy when they already are. */
function ownBuffer(v: Float64Array): Float64Array {
  return v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength ? v : v.slice();
}

async function run(m: Extract<ToThread, { t: 'run' }>): Promise<void> {
  const ac = new AbortController();
  aborts.set(m.id, ac);
  const waitedMs = Math.max(0, performance.timeOrigin + performance.now() - m.postedAtMs);
  try {
    const r = await exec.run(m.request, ac.signal);
    const values = ownBuffer(r.values);
    const answer: RunAnswer = { shape: r.shape, values, computeMs: r.computeMs, waitedMs, ...(r.iterations !== undefined ? { iterations: r.iterations } : {}) };
    ok(m.id, answer, [values.buffer as ArrayBuffer]);
  } catch (e) {
    fail(m.id, e);
  } finally {
    aborts.delete(m.id);
    noteReceived(m.request);
  }
}

function handle(m: ToThread): void {
  switch (m.t) {
    case 'put':
      return exec.put(m.block.jobId, m.block.id, blockOf(m.block));
    case 'drop':
      return exec.drop(m.jobId, m.ids);
    case 'clear':
      return exec.clear();
    case 'abort':
      return aborts.get(m.id)?.abort();
    case 'run':
      return void run(m);
    case 'loopOpen':
      try {
        let alpha: SharedArrayBuffer | undefined;
        const slice = m.slice ? SharedSlice.attach(m.slice.buffer, m.slice.start, m.slice.length) : undefined;
        const describe = m.slice?.describe ?? '';
        const s = exec.openLoop(m.loop, {
          jobId: m.jobId,
          ownBlock: m.ownBlock,
          seed: m.seed,
          batchSize: m.batchSize,
          alpha: (n) => new Float64Array((alpha = new SharedArrayBuffer(8 * n))),
          ...(slice ? { slice } : {}),
          describeSlice: () => describe,
        });
        const opened: LoopOpened = { start: s.start, end: s.end, centers: s.centers, batch: s.batch, alpha: alpha! };
        loopPriority.opened();
        return ok(m.id, opened);
      } catch (e) {
        return fail(m.id, e);
      }
    case 'loopStep':
      try {
        return ok(m.id, exec.step(m.loop, m.fixed, m.tauHat, m.write));
      } catch (e) {
        return fail(m.id, e);
      }
    case 'loopWrite':
      try {
        return ok(m.id, exec.writeOwn(m.loop));
      } catch (e) {
        return fail(m.id, e);
      }
    case 'loopTake':
      try {
        const d = ownBuffer(exec.takeDelta(m.loop));
        return ok(m.id, d, [d.buffer as ArrayBuffer]);
      } catch (e) {
        return fail(m.id, e);
      }
    case 'loopClose':
      exec.closeLoop(m.loop);
      return loopPriority.closed();
  }
}

port.on('message', handle);
