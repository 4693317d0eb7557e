import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { loadBinding, defaultAddonPath } from '../../../shared/kernels/native/binding';
import { Rng } from '../../../shared/random';
import { nativeKernelsOrSkip } from '../../helpers/native-kernels';

/**
 * The addon is context-aware (NAPI_MODULE_INIT): it loads in worker_threads as well as on the
 * main thread, several at once, and computes the same numbers there (the master's compute thread
 * and the worker's rely on it).
 */
const native = nativeKernelsOrSkip('addon in worker_threads');

/** In the thread: load the addon, C = A·B by dgemm on the arrays sent, post C back. */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const b = require(workerData.addon);
const { m, n, k, A, B } = workerData;
const C = new Float64Array(m * n);
b.dgemm(false, false, m, n, k, 1, A, k, B, n, 0, C, n);
parentPort.postMessage({ version: b.version, C });
`;

function runInThread(data: Record<string, unknown>): Promise<{ version: number; C: Float64Array }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(THREAD, { eval: true, workerData: data });
    w.once('message', (m: { version: number; C: Float64Array }) => resolve(m));
    w.once('error', reject);
  });
}

describe.skipIf(!native)('the native addon in worker_threads', () => {
  it('loads and computes in threads, concurrently, the same bits as on the main thread', async () => {
    const addon = defaultAddonPath();
    const b = loadBinding(addon);
    const rng = new Rng(7);
    const m = 37;
    const n = 23;
    const k = 41;
    const A = Float64Array.from({ length: m * k }, () => rng.normal());
    const B = Float64Array.from({ length: k * n }, () => rng.normal());
    const C = new Float64Array(m * n);
    b.dgemm(false, false, m, n, k, 1, A, k, B, n, 0, C, n);
    const results = await Promise.all([0, 1, 2].map(() => runInThread({ addon, m, n, k, A, B })));
    for (const r of results) {
      expect(r.version).toBe(b.version);
      expect(Array.from(r.C)).toEqual(Array.from(C));
    }
    // And still on the main thread after the threads have gone.
    const again = new Float64Array(m * n);
    b.dgemm(false, false, m, n, k, 1, A, k, B, n, 0, again, n);
    expect(Array.from(again)).toEqual(Array.from(C));
  });
});
