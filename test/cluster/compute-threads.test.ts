import { describe, expect, it } from 'vitest';
import type { OutgoingBlock } from '../../core/schemes/placement';
import type { LocalCluster } from '../../launcher';
import { jobOf, runJob } from '../../master';
import { WorkerConnection } from '../../master/cluster/worker-client';
import { Rng } from '../../shared/random';
import { float64ToBytes } from '../../shared/tensor';
import { tokenMetadata, unaryCall, type pb } from '../../shared/wire';
import { processAlive, withLocalCluster } from '../helpers/cluster-fixture';
import { jobContext } from '../helpers/job-context';

/**
 * Compute threads on real worker processes: K services in one process are K compute threads, so
 * one service's long task does not hold back another's answer, and a slice owner answers reads
 * while its thread steps; a crash fault ends one service, not the process. Where it shows the
 * difference, the same scenario runs with `--compute inline` (the event loop computing), which
 * gives the opposite order.
 */

function block(id: number, rows: number, cols: number, rowOffset: number, seed: number): OutgoingBlock {
  const rng = new Rng(seed);
  return { id, rows, cols, rowOffset, data: Float64Array.from({ length: rows * cols }, () => rng.normal()), rhs: Float64Array.from({ length: rows }, () => rng.normal()) };
}

const task = (jobId: string, blocks: number[], fields: Partial<pb.TaskRequest>): pb.TaskRequest => ({ jobId, round: '1', slot: 0, work: 1, blocks: blocks.map((blockId) => ({ blockId, weight: 1 })), ...fields });

/**
 * Two services of one process: A gets a long Gram (seconds on the plain loops), B a small matvec
 * sent while A computes (a kind that computes, so inline it waits for the loop A holds; a noop
 * answers on the loop without computing).
 */
async function answerOrder(lc: LocalCluster): Promise<string[]> {
  const [a, b] = lc.master.registry.alive();
  expect(a!.pid).toBe(b!.pid);
  const ca = new WorkerConnection(a!.index, a!.address, undefined);
  const cb = new WorkerConnection(b!.index, b!.address, undefined);
  try {
    await ca.placeBlocks('order', [block(0, 16000, 400, 0, 1)]);
    await cb.placeBlocks('order', [block(1, 8, 4, 0, 2)]);
    // Both compute sides up (a thread starts on its service's first task).
    const small = (): pb.TaskRequest => task('order', [1], { matvec: { x: { shape: [4], data: float64ToBytes(Float64Array.of(1, 2, 3, 4)) } } });
    await Promise.all([ca.runTask(task('order', [0], { matvec: { x: { shape: [400], data: float64ToBytes(new Float64Array(400)) } } }), 60).promise, cb.runTask(small(), 60).promise]);
    const order: string[] = [];
    const long = ca.runTask(task('order', [0], { gram: {} }), 120).promise.then(() => order.push('A: gram'));
    // The Gram is being computed by now (it takes seconds even on a quiet machine; a second's
    // head start leaves room for a loaded one); B's matvec goes to the other service.
    await new Promise((r) => setTimeout(r, 1000));
    const short = cb.runTask(small(), 120).promise.then(() => order.push('B: matvec'));
    await Promise.all([long, short]);
    return order;
  } finally {
    ca.close();
    cb.close();
  }
}

describe('compute threads: K services in one process', () => {
  it("one service's long task does not hold back another's answer (and computing inline, it does)", async () => {
    const threaded = await withLocalCluster({ workers: 2, perProcess: 2, workerArgs: ['--kernels', 'js'] }, answerOrder);
    expect(threaded).toEqual(['B: matvec', 'A: gram']);
    const inline = await withLocalCluster({ workers: 2, perProcess: 2, workerArgs: ['--kernels', 'js', '--compute', 'inline'] }, answerOrder);
    expect(inline).toEqual(['A: gram', 'B: matvec']);
  });

  it('a crash fault ends its own service, not its neighbours in the process: the slot moves, the answer is exact', async () => {
    await withLocalCluster({ workers: 4, perProcess: 4 }, async (lc) => {
      const pid = lc.master.registry.get(0)!.pid;
      expect(lc.master.registry.alive().every((w) => w.pid === pid)).toBe(true);
      const job = jobOf('least-squares', {
        data: { synthetic: { kind: 'gaussian', rows: 800, cols: 16, seed: 5 } },
        scheme: { name: 'wait-all' },
        workers: 4,
        stop: { tol: 1e-10, maxRounds: 3000, timeLimit: 60 },
        chaos: { fault: { crashAfterTasks: 3 }, workers: [0], seed: 1 },
      });
      const out = await runJob(job, jobContext(lc));
      expect(out.result.slotsRelocated).toBeGreaterThanOrEqual(1);
      expect(out.result.relErrorVsDirect).toBeLessThan(1e-6);
      expect(processAlive(pid)).toBe(true);
      expect(lc.master.registry.get(0)!.status).toBe('lost');
      expect(lc.master.registry.alive().map((w) => w.index)).toEqual([1, 2, 3]);
      // The crashed service's port is closed; its neighbours answer.
      const dead = new WorkerConnection(0, lc.master.registry.get(0)!.address, undefined);
      const alive = new WorkerConnection(1, lc.master.registry.get(1)!.address, undefined);
      try {
        await expect(dead.runTask(task('after', [], { noop: {} }), 5).promise).rejects.toMatchObject({ code: expect.any(Number) });
        await expect(alive.runTask(task('after', [], { noop: {} }), 30).promise).resolves.toMatchObject({ slot: 0 });
      } finally {
        dead.close();
        alive.close();
      }
    });
  });
});

/**
 * One AsyncEigenPro owner (one worker; the slice is all of α) steps three times on a large batch
 * (each step a fraction of a second on the plain loops) while this test reads its slice over gRPC,
 * back to back. Replies served between the owner's first and second writes were served while its
 * thread stepped. Computing inline, the owner's loop steps, writes and steps again without
 * yielding: no reply can be served in between.
 */
async function readsWhileStepping(lc: LocalCluster): Promise<{ between: pb.ReadSliceReply__Output[]; version: number }> {
  const w = lc.master.registry.alive()[0]!;
  const c = new WorkerConnection(w.index, w.address, undefined);
  const n = 12_000;
  const jobId = 'steps';
  const key = { jobId, name: 'alpha', slice: 0 };
  const md = tokenMetadata(undefined);
  const read = (req: pb.ReadSliceRequest): Promise<pb.ReadSliceReply__Output> => unaryCall(c.client.readSlice.bind(c.client), req, md, 30_000, 'ReadSlice');
  try {
    await c.placeBlocks(jobId, [block(0, n, 8, 0, 7)]);
    await c.runTask(task(jobId, [0], { eigenproSetup: { kernel: { name: 'gaussian', bandwidth: 3 }, ownBlock: 0, nystromSize: 100, topQ: 10, seed: '1' } }), 120).promise;
    await unaryCall(c.client.writeSlice.bind(c.client), { key, start: '0', values: { shape: [n], data: float64ToBytes(new Float64Array(n)) }, version: '0' }, md, 30_000, 'WriteSlice');
    let done = false;
    const leg = c
      .runTask(
        task(jobId, [0], {
          eigenproAsync: { parameter: 'alpha', owner: 0, batchSize: 2500, step: 1e-3, expectedStaleness: 0, maxTotalUpdates: '3', timeLimitSeconds: 120, seed: '2', owners: [{ address: w.address, start: '0', end: String(n) }] },
        }),
        180,
      )
      .promise.finally(() => (done = true));
    const replies: pb.ReadSliceReply__Output[] = [];
    while (!done) replies.push(await read({ key }));
    await leg;
    const after = (v: number): Promise<number> => read({ key, skipValues: true, hasPrevious: true, previousVersion: String(v), untilUs: Number.MAX_VALUE }).then((r) => r.nextWrittenAtUs);
    const [w1, w2] = [await after(0), await after(1)];
    const last = await read({ key, skipValues: true });
    return { between: replies.filter((r) => r.servedAtUs > w1 && r.servedAtUs < w2), version: Number(last.version) };
  } finally {
    c.close();
  }
}

describe('the sharded store: an owner answers reads while its compute thread steps', () => {
  it('reads are served between two writes of the owner (inline: none can be)', async () => {
    const threaded = await withLocalCluster({ workers: 1, workerArgs: ['--kernels', 'js'] }, readsWhileStepping);
    expect(threaded.version).toBe(3);
    // Served after the first write began and before the second did: while the thread stepped (a
    // few of them, as the first write was landing, may hold it half done).
    const whole = threaded.between.filter((r) => !r.torn);
    expect(whole.length).toBeGreaterThanOrEqual(3);
    for (const r of whole) expect([Number(r.version), r.mixedElements]).toEqual([1, false]);
    for (const r of threaded.between) expect(Number(r.version)).toBeLessThanOrEqual(1);
    const inline = await withLocalCluster({ workers: 1, workerArgs: ['--kernels', 'js', '--compute', 'inline'] }, readsWhileStepping);
    expect(inline.version).toBe(3);
    expect(inline.between).toEqual([]);
  });
});
