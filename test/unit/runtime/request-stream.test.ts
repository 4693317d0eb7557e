import { EventEmitter } from 'node:events';
import type * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ClusterError } from '../../../shared/errors';
import { RequestStream } from '../../../shared/wire';

/** A duplex stream's client end, as far as RequestStream uses it: writes recorded, events emitted by the test. */
class FakeCall extends EventEmitter {
  readonly written: number[] = [];
  write(m: number): boolean {
    this.written.push(m);
    return true;
  }
  cancel(): void {}
  end(): void {}
}

const asDuplex = (c: FakeCall): grpc.ClientDuplexStream<number, number> => c as unknown as grpc.ClientDuplexStream<number, number>;

describe('RequestStream', () => {
  it('answers requests in order, one reply each', async () => {
    const call = new FakeCall();
    const rs = new RequestStream<number, number>(() => asDuplex(call), 'reading');
    const a = rs.request(1);
    const b = rs.request(2);
    call.emit('data', 10);
    call.emit('data', 20);
    await expect(a).resolves.toBe(10);
    await expect(b).resolves.toBe(20);
    expect(call.written).toEqual([1, 2]);
  });

  it('a stream that cannot be opened is a rejected request, never a throw', async () => {
    const rs = new RequestStream<number, number>(() => {
      throw new Error('Channel has been shut down');
    }, 'reading slice 1');
    let p: Promise<number> | undefined;
    expect(() => (p = rs.request(1))).not.toThrow();
    await expect(p).rejects.toThrow('Channel has been shut down');
  });

  it('gathered with Promise.all, a request whose stream cannot open leaves no other rejection unhandled', async () => {
    // The master's gather of α: slice 0's stream is up, slice 1's channel is closed; then slice 0's
    // worker dies. Before, the throw for slice 1 skipped Promise.all and slice 0's rejection was
    // unhandled (it ended a test run in CI).
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const up = new FakeCall();
      const s0 = new RequestStream<number, number>(() => asDuplex(up), 'reading slice 0');
      const s1 = new RequestStream<number, number>(() => {
        throw new Error('Channel has been shut down');
      }, 'reading slice 1');
      const all = Promise.all([s0, s1].map((s) => s.request(0)));
      up.emit('error', Object.assign(new Error('RST_STREAM'), { details: 'Received RST_STREAM with code 0' }));
      await expect(all).rejects.toThrow('Channel has been shut down');
      await new Promise((r) => setImmediate(r));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a broken stream rejects every waiting request with a ClusterError naming what was done, and the next request opens a new stream', async () => {
    const calls: FakeCall[] = [];
    const rs = new RequestStream<number, number>(() => {
      const c = new FakeCall();
      calls.push(c);
      return asDuplex(c);
    }, 'reading slice 0');
    const a = rs.request(1);
    const b = rs.request(2);
    calls[0]!.emit('end');
    for (const p of [a, b]) {
      const e = await p.catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ClusterError);
      expect((e as Error).message).toBe('reading slice 0: the server ended the stream');
    }
    const c = rs.request(3);
    expect(calls).toHaveLength(2);
    calls[1]!.emit('data', 30);
    await expect(c).resolves.toBe(30);
  });
});
