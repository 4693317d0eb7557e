import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SharedSlice, SliceBusyError } from '../../../worker/shared-slice';
import { staleDist } from '../../helpers/dist-fresh';

/**
 * A writer on another thread that stops in the middle of its write until the test lets it go:
 * the element-level inconsistent read made deterministic. The writer is dist/'s SharedSlice (a
 * thread cannot load TypeScript): the same code as the event loop's side here.
 */
const WRITER = `
const { workerData, parentPort } = require('node:worker_threads');
const { SharedSlice } = require(${JSON.stringify(join(__dirname, '..', '..', '..', 'dist', 'worker', 'shared-slice.js'))});
const { buffer, start, length, pauseAfter, gate } = workerData;
const slice = SharedSlice.attach(buffer, start, length);
const g = new Int32Array(gate);
parentPort.on('message', (delta) => {
  const w = slice.add(delta, () => 'test slice', (i) => {
    if (i !== pauseAfter) return;
    Atomics.store(g, 0, 1);          // paused: elements 0..pauseAfter written, the rest not
    Atomics.notify(g, 0);
    Atomics.wait(g, 1, 0);           // until the test sets g[1]
  });
  parentPort.postMessage(w);
});
`;

describe('a shared slice: one writer thread, readers on the event loop, no lock', () => {
  let writer: Worker | undefined;
  beforeAll(() => {
    const stale = staleDist();
    if (stale) throw new Error(stale);
  });
  afterEach(async () => {
    await writer?.terminate();
    writer = undefined;
  });

  it('a read while the writer is half way holds elements of two versions: torn and mixed, at the older version; after the write, whole again', async () => {
    const slice = SharedSlice.create(100, Float64Array.from([1, 1, 1, 1, 1, 1]), 0);
    const gate = new SharedArrayBuffer(8);
    const g = new Int32Array(gate);
    writer = new Worker(WRITER, { eval: true, workerData: { buffer: slice.buffer, start: 100, length: 6, pauseAfter: 2, gate } });
    const before = slice.read();
    expect([before.torn, before.mixedElements, before.version]).toEqual([false, false, 0]);

    const wrote = new Promise<{ version: number; writtenAtUs: number }>((r) => writer!.once('message', r));
    writer.postMessage(Float64Array.from([10, 10, 10, 10, 10, 10]));
    // Blocks this thread until the writer has paused (a test only: the event loop never waits).
    expect(Atomics.wait(g, 0, 0, 10_000)).not.toBe('timed-out');

    const half = slice.read();
    expect(Array.from(half.values!)).toEqual([11, 11, 11, 1, 1, 1]);
    expect(half.torn).toBe(true);
    expect(half.mixedElements).toBe(true);
    expect(half.version).toBe(0);
    // The write began before this read: its time is already known to readers.
    expect(half.writtenAtUs).toBeGreaterThan(0);
    // A second writer is refused while one is under way, and changes nothing.
    expect(() => slice.put(new Float64Array(6), 5, () => 'test slice')).toThrow(SliceBusyError);
    expect(() => slice.add(new Float64Array(6), () => 'test slice')).toThrow(SliceBusyError);
    // Versions only: no values copied, no verdict on elements; the last whole version.
    const polled = slice.read({ skipValues: true });
    expect([polled.version, polled.mixedElements]).toEqual([0, false]);

    Atomics.store(g, 1, 1);
    Atomics.notify(g, 1);
    const w = await wrote;
    expect(w.version).toBe(1);
    const after = slice.read();
    expect(Array.from(after.values!)).toEqual([11, 11, 11, 11, 11, 11]);
    expect([after.torn, after.mixedElements, after.version]).toEqual([false, false, 1]);
    expect(after.writtenAtUs).toBe(w.writtenAtUs);
    // The history a reader asks about: version 1 was written after the half read was served.
    const since = slice.read({ skipValues: true, previous: { version: 0, untilUs: after.servedAtUs } });
    expect([since.nextWrittenAtUs, since.writesUntil, since.historyComplete]).toEqual([w.writtenAtUs, 1, true]);
  });

  it('a read that begins while a write is under way is torn even when all it copies is the new version', async () => {
    const slice = SharedSlice.create(0, Float64Array.from([0, 0, 0]), 4);
    const gate = new SharedArrayBuffer(8);
    const g = new Int32Array(gate);
    // Paused after the last element: every value and stamp written, the version not yet published.
    writer = new Worker(WRITER, { eval: true, workerData: { buffer: slice.buffer, start: 0, length: 3, pauseAfter: 2, gate } });
    const wrote = new Promise((r) => writer!.once('message', r));
    writer.postMessage(Float64Array.from([1, 2, 3]));
    expect(Atomics.wait(g, 0, 0, 10_000)).not.toBe('timed-out');
    const r = slice.read();
    expect(Array.from(r.values!)).toEqual([1, 2, 3]);
    expect([r.torn, r.mixedElements, r.version]).toEqual([true, false, 5]);
    expect(slice.version).toBe(4);
    Atomics.store(g, 1, 1);
    Atomics.notify(g, 1);
    await wrote;
    expect(slice.version).toBe(5);
  });

  it('refuses non-finite results and a wrong length before changing anything', () => {
    const slice = SharedSlice.create(0, Float64Array.from([1, 2]), 0);
    expect(() => slice.add(Float64Array.from([0, Number.NaN]), () => 's')).toThrow(/NaN at index 1/);
    expect(() => slice.add(new Float64Array(3), () => 's')).toThrow(/has 2 values, the update 3/);
    const r = slice.read();
    expect([Array.from(r.values!), r.version, r.torn]).toEqual([[1, 2], 0, false]);
    // A refused write leaves the writer's turn free.
    expect(slice.add(Float64Array.from([1, 1]), () => 's').version).toBe(1);
  });
});
