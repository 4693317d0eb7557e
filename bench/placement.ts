import { createConnection, createServer, type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { startLocalCluster } from '../launcher';
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
 * Placement throughput: a 64 MiB float64 matrix placed on one worker process (the worker
 * assembling it in the block's own aligned memory), in MB/s: over the bulk channel (what
 * placement uses: OpenBulk's ticket, then raw bytes on a TCP connection) and through gRPC
 * LoadBlocks (the fallback, e.g. under TLS) for several chunk sizes, against raw loopback TCP (a
 * Node socket into a server in this process that only counts bytes), all interleaved in the same
 * run. LoadBlocks' chunk size (CHUNK_BYTES) is the measured best.
 */
export async function benchPlacement(mib = 64, repeats = 5, chunkSizes = [256 << 10, 1 << 20, 4 << 20]): Promise<Record<string, unknown>> {
  const lc = await startLocalCluster({ workers: 1 });
  try {
    const w = lc.master.registry.alive()[0]!;
    const conn = new WorkerConnection(w.index, w.address, undefined);
    const cols = 512;
    const rows = (mib * (1 << 20)) / 8 / cols;
    const data = new Float64Array(rows * cols).map((_, i) => i % 997);
    const grpcS = new Map<number, number[]>(chunkSizes.map((c) => [c, []]));
    const tcpS: number[] = [];
    const bulkS: number[] = [];
    for (let i = 0; i < repeats; i++) {
      {
        const t = performance.now();
        const { via } = await conn.placeBlocks(`place-${i}-bulk`, [{ id: 0, rows, cols, data, rowOffset: 0 }], 600);
        bulkS.push((performance.now() - t) / 1000);
        if (via !== 'bulk') throw new Error(`placement went through ${via}, not the bulk channel: ${conn.bulkUnavailable ?? ''}`);
        await conn.dropBlocks(`place-${i}-bulk`);
      }
      for (const c of chunkSizes) {
        const t = performance.now();
        await conn.loadBlocks(`place-${i}-${c}`, [{ id: 0, rows, cols, data, rowOffset: 0 }], 600, c);
        grpcS.get(c)!.push((performance.now() - t) / 1000);
        await conn.dropBlocks(`place-${i}-${c}`);
      }
      tcpS.push(await rawTcpSeconds(Buffer.from(data.buffer)));
    }
    conn.close();
    const mb = data.byteLength / 1e6;
    const tcp = mb / median(tcpS);
    const byChunk = chunkSizes.map((c) => {
      const s = grpcS.get(c)!;
      return { chunkKiB: c >> 10, MBps: mb / median(s), minMBps: mb / Math.max(...s), maxMBps: mb / Math.min(...s), fractionOfRawTcp: median(tcpS) / median(s) };
    });
    const bulk = { MBps: mb / median(bulkS), minMBps: mb / Math.max(...bulkS), maxMBps: mb / Math.min(...bulkS), fractionOfRawTcp: median(tcpS) / median(bulkS) };
    return { megabytes: mb, repeats, rawTcpMBps: tcp, rawTcpMinMaxMBps: [mb / Math.max(...tcpS), mb / Math.min(...tcpS)], bulk, byChunk };
  } finally {
    await lc.stop();
  }
}

export function printPlacement(r: Record<string, unknown>): void {
  const [lo, hi] = r.rawTcpMinMaxMBps as number[];
  console.log(`\nPlacement: a ${(r.megabytes as number).toFixed(0)} MB matrix to one worker (medians of ${r.repeats}); raw loopback TCP ${(r.rawTcpMBps as number).toFixed(0)} MB/s (${lo!.toFixed(0)}-${hi!.toFixed(0)})`);
  const b = r.bulk as Record<string, number>;
  console.table([
    { path: 'bulk channel (what placement uses)', 'MB/s': b.MBps!.toFixed(0), 'min-max': `${b.minMBps!.toFixed(0)}-${b.maxMBps!.toFixed(0)}`, 'fraction of raw TCP': b.fractionOfRawTcp!.toFixed(2) },
    ...(r.byChunk as Record<string, number>[]).map((x) => ({
      path: `gRPC LoadBlocks, ${x.chunkKiB} KiB chunks`,
      'MB/s': x.MBps!.toFixed(0),
      'min-max': `${x.minMBps!.toFixed(0)}-${x.maxMBps!.toFixed(0)}`,
      'fraction of raw TCP': x.fractionOfRawTcp!.toFixed(2),
    })),
  ]);
}
