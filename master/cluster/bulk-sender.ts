import { connect } from 'node:net';
import { ClusterError, fromStatus } from '../../shared/errors';
import { float64ToBytes } from '../../shared/tensor';
import { BULK_MAX_FRAME, decodeResult, headerFrame, joinHostPort } from '../../shared/wire';
import type { OutgoingBlock } from '../../core/schemes/placement';

const CONNECT_TIMEOUT_MS = 10_000;
/** The most bytes one socket write hands the kernel (see the 'connect' handler). */
const WRITE_CHUNK_BYTES = 1 << 20;

/** The bulk port could not be reached at all: nothing was sent, LoadBlocks can take over. */
export class BulkUnreachableError extends ClusterError {}

/**
 * The master's end of the bulk channel (OpenBulk in proto/coda/v1/worker.proto): one TCP
 * connection, the ticket, then each block's header frame and its bytes. The bytes go to the
 * socket as views of the blocks' own memory: the kernel copies them once, Node not at all.
 * Resolves with the bytes the worker stored; a refusal comes back as the error table's class.
 */
export function sendBlocksBulk(host: string, port: number, ticket: Uint8Array, jobId: string, blocks: readonly OutgoingBlock[], deadlineSeconds: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const where = `bulk channel ${joinHostPort(host, port)}`;
    const sock = connect({ host, port });
    sock.setNoDelay(true);
    let connected = false;
    let settled = false;
    let sent = 0;
    const reply: Buffer[] = [];
    const settle = (e: Error | undefined, bytes?: number): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(connectTimer);
      sock.destroy();
      if (e) reject(e);
      else resolve(bytes!);
    };
    const timer = setTimeout(() => settle(new ClusterError(`${where}: no answer within ${deadlineSeconds} s`)), deadlineSeconds * 1000);
    // A port behind a firewall or a network policy drops the SYN instead of refusing it: give up
    // on the channel after a while rather than waiting out the placement's deadline.
    const connectTimer = setTimeout(() => settle(new BulkUnreachableError(`${where}: no connection within ${CONNECT_TIMEOUT_MS / 1000} s`)), Math.min(CONNECT_TIMEOUT_MS, deadlineSeconds * 1000));
    // A write hands its bytes to the kernel at once when the socket has room: one write of a
    // 100 MB block held the event loop 0.1–0.4 s. In chunks, the loop runs between them (at the
    // socket's drain when the kernel is full, at the next turn otherwise).
    const pause = (ok: boolean): Promise<void> =>
      new Promise((resume) => {
        if (ok) return setImmediate(resume);
        const go = (): void => {
          sock.off('drain', go);
          sock.off('close', go);
          resume();
        };
        sock.on('drain', go);
        sock.on('close', go);
      });
    const writeChunked = async (bytes: Buffer): Promise<void> => {
      for (let at = 0; at < bytes.byteLength && !settled; at += WRITE_CHUNK_BYTES) {
        await pause(sock.write(bytes.subarray(at, at + WRITE_CHUNK_BYTES)));
      }
    };
    sock.once('connect', () => {
      clearTimeout(connectTimer);
      connected = true;
      sock.write(ticket);
      void (async () => {
        for (const b of blocks) {
          if (settled) return;
          const total = b.data.byteLength + (b.rhs ? b.rhs.byteLength : 0);
          sock.write(headerFrame({ jobId, blockId: b.id, shape: [b.rows, b.cols], hasRhs: !!b.rhs, totalBytes: String(total), rowOffset: String(b.rowOffset) }));
          await writeChunked(float64ToBytes(b.data));
          if (b.rhs) await writeChunked(float64ToBytes(b.rhs));
          sent += total;
        }
        if (!settled) sock.end();
      })();
    });
    sock.on('data', (d: Buffer) => {
      reply.push(d);
      if (reply.reduce((n, c) => n + c.byteLength, 0) > 4 + BULK_MAX_FRAME) settle(new ClusterError(`${where}: an answer longer than any result`));
    });
    sock.on('end', () => {
      const all = Buffer.concat(reply);
      const n = all.byteLength >= 4 ? all.readUInt32BE(0) : -1;
      if (n < 0 || all.byteLength !== 4 + n) return settle(new ClusterError(`${where}: the worker closed the connection without a complete answer (${all.byteLength} bytes)`));
      let r;
      try {
        r = decodeResult(all.subarray(4));
      } catch (e) {
        return settle(new ClusterError(`${where}: an unreadable answer (${(e as Error).message})`));
      }
      if (r.error) return settle(fromStatus(r.error.code, r.error.message));
      const stored = Number(r.stored?.bytesReceived ?? NaN);
      if (stored !== sent) return settle(new ClusterError(`${where}: the worker stored ${stored} bytes of the ${sent} sent`));
      settle(undefined, sent);
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      settle(connected ? new ClusterError(`${where}: ${e.message}`) : new BulkUnreachableError(`${where}: ${e.message}`));
    });
  });
}
