import { createConnection, createServer, type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { startLocalCluster } from '../master';
import { WorkerConnection } from '../master/cluster/worker-client';
import { median } from './stats';

/** Raw loopback TCP: time to push `bytes` through a socket to a server that only counts them. */
async function rawTcpSeconds(payload: Buffer): Promise<number> {
  let received = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => (done = r));
  const server = createServer((sock) => {
    sock.on('data', (d: Buffer) => {
      received += d.length;
      if (received >= payload.length) done();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const t = performance.now();
  const sock = createConnection(port, '127.0.0.1');
  const chunk = 1 << 20;
  for (let off = 0; off < payload.length; off += chunk) {
    if (!sock.write(payload.subarray(off, Math.min(off + chunk, payload.length)))) await new Promise((r) => sock.once('drain', r));
  }
  await finished;
  const s = (performance.now() - t) / 1000;
  sock.destroy();
  await new Promise((r) => server.close(r));
  return s;
}

/**
 * Placement throughput: streaming a 64 MiB float64 matrix to one worker through LoadBlocks
 * (1 MiB chunks, flow control, the worker assembling an aligned Float64Array), in MB/s, against
 * raw loopback TCP measured in the same run.
 */
export async function benchPlacement(mib = 64, repeats = 5): Promise<Record<string, unknown>> {
  const lc = await startLocalCluster({ workers: 1 });
  try {
    const w = lc.master.registry.alive()[0]!;
    const conn = new WorkerConnection(w.index, w.address, undefined);
    const cols = 512;
    const rows = (mib * (1 << 20)) / 8 / cols;
    const data = new Float64Array(rows * cols).map((_, i) => i % 997);
    const grpcS: number[] = [];
    const tcpS: number[] = [];
    for (let i = 0; i < repeats; i++) {
      let t = performance.now();
      await conn.loadBlocks(`place-${i}`, [{ id: 0, rows, cols, data, rowOffset: 0 }]);
      grpcS.push((performance.now() - t) / 1000);
      await conn.dropBlocks(`place-${i}`);
      t = performance.now();
      tcpS.push(await rawTcpSeconds(Buffer.from(data.buffer)));
    }
    conn.close();
    const mb = data.byteLength / 1e6;
    return {
      megabytes: mb,
      grpcMBps: mb / median(grpcS),
      rawTcpMBps: mb / median(tcpS),
      fractionOfRawTcp: median(tcpS) / median(grpcS),
      repeats,
    };
  } finally {
    await lc.stop();
  }
}
