import { connect } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BulkUnreachableError, sendBlocksBulk } from '../../master/cluster/bulk-sender';
import type { OutgoingBlock } from '../../core/schemes/placement';
import { WorkerConnection } from '../../master/cluster/worker-client';
import { InputError, PermissionError, ResourceError } from '../../shared/errors';
import { createLogger } from '../../shared/log';
import { decodeResult, headerFrame } from '../../shared/wire';
import { BlockStore, startWorker } from '../../worker';
import { BulkReceiver } from '../../worker/bulk-receiver';
import { freePort } from '../helpers/free-port';
import { Rng } from '../../shared/random';

function block(id: number, rows: number, cols: number, withRhs: boolean, seed: number): OutgoingBlock {
  const data = Float64Array.from({ length: rows * cols }, (_, i) => Math.sin(seed * 1000 + i) * 1e3);
  return { id, rows, cols, data, rowOffset: 10 * id, ...(withRhs ? { rhs: Float64Array.from({ length: rows }, (_, i) => i - seed) } : {}) };
}

/** Writes `parts` raw on a bulk connection and returns the worker's decoded answer. */
function rawExchange(port: number, parts: Uint8Array[]): Promise<ReturnType<typeof decodeResult>> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => {
      for (const p of parts) sock.write(p);
      sock.end();
    });
    const got: Buffer[] = [];
    sock.on('data', (d: Buffer) => got.push(d));
    sock.on('end', () => {
      const all = Buffer.concat(got);
      if (all.byteLength < 4) return reject(new Error('closed without an answer'));
      resolve(decodeResult(all.subarray(4, 4 + all.readUInt32BE(0))));
    });
    sock.on('error', reject);
  });
}

describe('bulk channel (placement as raw bytes beside gRPC)', () => {
  let store: BlockStore;
  let rx: BulkReceiver;
  const loads: number[] = [];
  beforeEach(async () => {
    store = new BlockStore();
    rx = new BulkReceiver(store, 1 << 20, createLogger('worker'), (_b, bytes) => loads.push(bytes));
    await rx.listen('127.0.0.1', 0);
  });
  afterEach(() => rx.close());

  it('stores every block byte for byte (matrix, right-hand side, row offset), empty blocks included, and reports the bytes', async () => {
    const blocks = [block(0, 7, 5, true, 1), block(1, 300, 40, false, 2), block(2, 0, 5, false, 3), block(3, 1, 1, true, 4)];
    const sent = await sendBlocksBulk('127.0.0.1', rx.port, rx.issue('job-a'), 'job-a', blocks, 10);
    const want = blocks.reduce((n, b) => n + b.data.byteLength + (b.rhs?.byteLength ?? 0), 0);
    expect(sent).toBe(want);
    expect(loads.at(-1)).toBe(want);
    for (const b of blocks) {
      const s = store.get('job-a', b.id);
      expect([s.A.rows, s.A.cols, s.rowOffset]).toEqual([b.rows, b.cols, b.rowOffset]);
      expect(Array.from(s.A.data)).toEqual(Array.from(b.data));
      if (b.rhs) expect(Array.from(s.rhs!)).toEqual(Array.from(b.rhs));
      else expect(s.rhs).toBeUndefined();
      // Kernels read blocks as aligned Float64Arrays.
      expect(s.A.data.byteOffset % 8).toBe(0);
    }
  });

  it('a ticket is good for one connection and one job; an unknown ticket stores nothing', async () => {
    const b = [block(0, 4, 3, false, 1)];
    await expect(sendBlocksBulk('127.0.0.1', rx.port, Buffer.alloc(16, 7), 'job-a', b, 10)).rejects.toThrow(PermissionError);
    const ticket = rx.issue('job-a');
    await sendBlocksBulk('127.0.0.1', rx.port, ticket, 'job-a', b, 10);
    await expect(sendBlocksBulk('127.0.0.1', rx.port, ticket, 'job-a', b, 10)).rejects.toThrow(/unknown or expired ticket/);
    await expect(sendBlocksBulk('127.0.0.1', rx.port, rx.issue('job-a'), 'job-b', b, 10)).rejects.toThrow(/the ticket is for job 'job-a', the header names 'job-b'/);
    expect(() => store.get('job-b', 0)).toThrow(InputError);
  });

  it('refuses a block larger than the worker takes before allocating it, a runaway frame length, a stream cut short, and a header whose byte count does not match its shape', async () => {
    const huge = { id: 0, rows: 1e6, cols: 1e5, data: new Float64Array(0), rowOffset: 0 };
    await expect(sendBlocksBulk('127.0.0.1', rx.port, rx.issue('j'), 'j', [huge], 10)).rejects.toThrow(ResourceError);

    const long = Buffer.alloc(4);
    long.writeUInt32BE(1 << 30);
    expect((await rawExchange(rx.port, [rx.issue('j'), long])).error).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, message: expect.stringMatching(/header frame of 1073741824 bytes/) });

    const h = headerFrame({ jobId: 'j', blockId: 5, shape: [4, 4], hasRhs: false, totalBytes: '128', rowOffset: '0' });
    const short = await rawExchange(rx.port, [rx.issue('j'), h, new Uint8Array(100)]);
    expect(short.error).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, message: expect.stringMatching(/ended in the middle of a block \(28 bytes short\)/) });
    expect(() => store.get('j', 5)).toThrow(/not stored/);

    const lying = headerFrame({ jobId: 'j', blockId: 6, shape: [4, 4], hasRhs: false, totalBytes: '64', rowOffset: '0' });
    expect((await rawExchange(rx.port, [rx.issue('j'), lying, new Uint8Array(64)])).error?.message).toMatch(/header says 64 bytes, shape 4×4 needs 128/);
  });

  it('garbage on the bulk port (random bytes, valid tickets followed by random frames) is refused or dropped, stores nothing, and the port keeps working', async () => {
    const rng = new Rng(13);
    const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => rng.int(256));
    for (let i = 0; i < 60; i++) {
      const withTicket = rng.uniform() < 0.5;
      const parts = [...(withTicket ? [rx.issue('fuzz')] : []), bytes(rng.int(3000))];
      // The worker answers every connection (a refusal naming its reason, or what it stored);
      // 'closed': the connection ended without an answer.
      const outcome = await rawExchange(rx.port, parts).then((r) => r.error?.message ?? 'stored', () => 'closed');
      // Stored: a ticket and nothing after it (no block). Otherwise a refusal that names its reason.
      if (outcome === 'stored') expect(store.count()).toBe(0);
      else if (outcome !== 'closed') expect(outcome).toMatch(/^bulk connection: (unknown or expired ticket|ended in the middle|a header frame of|an unreadable block header|the ticket is for job)|^block \d+: /);
    }
    expect(store.count()).toBe(0);
    await sendBlocksBulk('127.0.0.1', rx.port, rx.issue('after'), 'after', [block(0, 3, 3, true, 9)], 10);
    expect(store.get('after', 0).A.data[4]).toBe(block(0, 3, 3, true, 9).data[4]);
  }, 60_000);

  it('a port nobody listens on is "unreachable" (the master falls back to LoadBlocks), not a failed placement', async () => {
    const port = await freePort();
    await expect(sendBlocksBulk('127.0.0.1', port, Buffer.alloc(16), 'j', [block(0, 2, 2, false, 1)], 5)).rejects.toThrow(BulkUnreachableError);
  });
});

describe('placement on a worker', () => {
  it('goes over the bulk channel by default, through LoadBlocks with --no-bulk; OpenBulk asks for the cluster token like every call', async () => {
    const withBulk = await startWorker({ token: 'tok' });
    const without = await startWorker({ bulkPort: null });
    const c1 = new WorkerConnection(0, withBulk.address, 'tok');
    const anon = new WorkerConnection(0, withBulk.address, undefined);
    const c2 = new WorkerConnection(1, without.address, undefined);
    try {
      const b = [block(0, 50, 8, true, 1), block(1, 30, 8, true, 2)];
      expect(await c1.placeBlocks('j', b)).toEqual({ bytes: (50 * 9 + 30 * 9) * 8, via: 'bulk' });
      expect(await c2.placeBlocks('j', b)).toEqual({ bytes: (50 * 9 + 30 * 9) * 8, via: 'grpc' });
      await expect(anon.placeBlocks('j', b)).rejects.toThrow(/OpenBulk on .*: .*token/i);
    } finally {
      [c1, anon, c2].forEach((c) => c.close());
      await withBulk.drain(0);
      await without.drain(0);
    }
  });
});
