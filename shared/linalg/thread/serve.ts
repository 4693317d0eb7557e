import { parentPort, workerData } from 'node:worker_threads';
import { inlineLinalg } from '../inline';
import { selectLinalg } from '../select';
import { LINALG_OPS, type AsyncLinalg, type Linalg, type LinalgOp } from '../types';
import { toWireError, transferablesOf, type CallReply, type CallRequest, type ThreadInit, type ThreadReady } from './protocol';

/**
 * An operation a role adds to its compute threads beside the linear algebra (a synthetic data
 * set, an encoding of blocks, a reference solve): a pure function of structured-clonable
 * arguments, run on the thread, its result sent back by transfer (shared memory stays shared).
 * `la` is the thread's own linear algebra, answered inline there.
 */
export type ThreadOp = (la: AsyncLinalg, ...args: never[]) => unknown;
export type ThreadOps = Readonly<Record<string, ThreadOp>>;

/**
 * A compute thread's body: picks the backend once, answers calls one after another (FIFO), and
 * sends each result back by transfer. It never touches the caller's event loop: that is the point.
 * `extra`: the role's own operations (see ThreadOps), by name; a linear algebra name wins.
 */
export function serveComputeThread(extra: ThreadOps = {}): void {
  const port = parentPort;
  if (!port) throw new Error('a compute thread runs as a worker thread only');
  const init = workerData as ThreadInit;
  let linalg: Linalg;
  try {
    const sel = selectLinalg({ backend: init.backend, ...(init.addon ? { addon: init.addon } : {}) });
    linalg = sel.linalg;
    // Process-wide in OpenBLAS: only the pool's first thread sets it, before any call runs.
    if (sel.binding && init.blasThreads !== undefined) sel.binding.setThreads(init.blasThreads);
    const info = sel.binding?.blasInfo();
    const ready: ThreadReady = {
      kind: 'ready',
      name: linalg.name,
      ...(sel.warning ? { warning: sel.warning } : {}),
      ...(sel.failure ? { failure: sel.failure } : {}),
      ...(info ? { blas: { config: info.config, threads: info.threads } } : {}),
    };
    port.postMessage(ready);
  } catch (e) {
    port.postMessage({ kind: 'failed', error: toWireError(e) } satisfies ThreadReady);
    return;
  }
  const ops = new Set<string>(LINALG_OPS);
  const la = inlineLinalg(linalg);
  // One call at a time even when an extra operation awaits (its Grams and solves run inline
  // here), so the calls stay in order and a thread never holds two big results at once.
  let queue: Promise<void> = Promise.resolve();
  const answer = async (req: CallRequest): Promise<void> => {
    let reply: CallReply;
    let transfer: ArrayBuffer[] = [];
    try {
      let result: unknown;
      if (ops.has(req.op)) result = (linalg[req.op as LinalgOp] as (...args: unknown[]) => unknown)(...req.args);
      else if (Object.hasOwn(extra, req.op)) result = await (extra[req.op] as (la: AsyncLinalg, ...args: unknown[]) => unknown)(la, ...req.args);
      else throw new Error(`compute thread: unknown operation '${String(req.op)}'`);
      reply = { id: req.id, ok: true, result };
      transfer = transferablesOf(result);
    } catch (e) {
      reply = { id: req.id, ok: false, error: toWireError(e) };
    }
    port.postMessage(reply, transfer);
  };
  port.on('message', (req: CallRequest) => {
    queue = queue.then(() => answer(req));
  });
}
