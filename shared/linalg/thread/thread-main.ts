import { parentPort, workerData } from 'node:worker_threads';
import { selectLinalg } from '../select';
import { LINALG_OPS, type Linalg, type LinalgOp } from '../types';
import { toWireError, transferablesOf, type CallReply, type CallRequest, type ThreadInit, type ThreadReady } from './protocol';

/**
 * A compute thread's body: picks the backend once, answers calls one after another (FIFO), and
 * sends each result back by transfer. It never touches the caller's event loop: that is the point.
 */
function main(): void {
  const port = parentPort;
  if (!port) throw new Error('thread-main runs as a worker thread only');
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
  port.on('message', (req: CallRequest) => {
    let reply: CallReply;
    let transfer: ArrayBuffer[] = [];
    try {
      if (!ops.has(req.op)) throw new Error(`linalg thread: unknown operation '${String(req.op)}'`);
      const fn = linalg[req.op as LinalgOp] as (...args: unknown[]) => unknown;
      const result = fn(...req.args);
      reply = { id: req.id, ok: true, result };
      transfer = transferablesOf(result);
    } catch (e) {
      reply = { id: req.id, ok: false, error: toWireError(e) };
    }
    port.postMessage(reply, transfer);
  });
}

main();
