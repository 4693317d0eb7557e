import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerConnection } from '../../master/cluster/worker-client';
import { bindServer, loadProtos, serverCredentials, shutdownServer } from '../../shared/wire';

/**
 * A worker's control calls (configure, dropBlocks) are idempotent: the master tries them again
 * after UNAVAILABLE (a busy HTTP/2 server refuses a stream it never ran), and gives any other
 * failure back as the call gave it.
 */

let stop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stop?.();
  stop = undefined;
});

/** A Worker server whose Configure and DropBlocks fail with `codes` in turn, then answer. */
async function flakyWorker(codes: grpc.status[]): Promise<{ address: string; calls: () => number }> {
  let calls = 0;
  const answer = (cb: grpc.sendUnaryData<object>): void => {
    const code = codes[calls++];
    if (code === undefined) cb(null, {});
    else cb({ code, details: `refused (${calls})` } as grpc.ServiceError, null);
  };
  const server = new grpc.Server();
  server.addService(loadProtos().worker.coda.v1.Worker.service, {
    Configure: (_call: unknown, cb: grpc.sendUnaryData<object>) => answer(cb),
    DropBlocks: (_call: unknown, cb: grpc.sendUnaryData<object>) => answer(cb),
  } as unknown as grpc.UntypedServiceImplementation);
  const port = await bindServer(server, '127.0.0.1', 0, serverCredentials(undefined));
  stop = () => shutdownServer(server, 1000);
  return { address: `127.0.0.1:${port}`, calls: () => calls };
}

describe('a worker control call that meets UNAVAILABLE', () => {
  it('is tried again (configure, dropBlocks) and succeeds when the worker answers', async () => {
    const w = await flakyWorker([grpc.status.UNAVAILABLE, grpc.status.UNAVAILABLE]);
    const c = new WorkerConnection(0, w.address, undefined);
    try {
      await c.configure('j', 'reset');
      expect(w.calls()).toBe(3);
      await c.dropBlocks('j', [1]);
      expect(w.calls()).toBe(4);
    } finally {
      c.close();
    }
  });

  it('gives up after three attempts with the worker’s own status, and never retries another status', async () => {
    const w = await flakyWorker([grpc.status.UNAVAILABLE, grpc.status.UNAVAILABLE, grpc.status.UNAVAILABLE, grpc.status.INVALID_ARGUMENT]);
    const c = new WorkerConnection(0, w.address, undefined);
    try {
      await expect(c.configure('j', 'reset')).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE, details: 'refused (3)' });
      expect(w.calls()).toBe(3);
      await expect(c.dropBlocks('j')).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: 'refused (4)' });
      expect(w.calls()).toBe(4);
    } finally {
      c.close();
    }
  });
});
