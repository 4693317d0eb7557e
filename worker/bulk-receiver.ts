import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { InputError, messageOf, PermissionError, statusOf } from '../shared/errors';
import type { Logger } from '../shared/log';
import { BULK_MAX_FRAME, BULK_TICKET_BYTES, decodeHeader, resultFrame } from '../shared/wire';
import { BlockAssembler, type BlockStore } from './block-store';

/** How long a ticket stays good: the master connects right after OpenBulk. */
const TICKET_TTL_MS = 60_000;
/** A connection that has not shown its ticket by then is dropped (nobody's placement). */
const TICKET_WAIT_MS = 10_000;
/** Connections at once: placements of several jobs, with room to spare. */
const MAX_CONNECTIONS = 64;
/** A placement that stalls this long is abandoned (the master's own deadline is longer). */
const IDLE_MS = 120_000;

/**
 * The worker's end of the bulk channel (OpenBulk in proto/coda/v1/worker.proto): a plain TCP
 * listener that takes blocks as raw bytes. Blocks reach the same BlockAssembler as LoadBlocks
 * (one copy, from the socket's buffers into the block's own memory), with none of gRPC's message
 * reassembly, so placement moves close to what the loopback or the network can.
 *
 * A connection is worth nothing without a ticket: OpenBulk issues one to a caller that passed the
 * token check, for one connection and one job, good for a minute. A ticket is never logged.
 */
export class BulkReceiver {
  private readonly tickets = new Map<string, { jobId: string; expires: number }>();
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  port = 0;

  constructor(
    private readonly store: BlockStore,
    private readonly maxBlockBytes: number,
    private readonly log: Logger,
    /** Called after each successful connection (metrics, like LoadBlocks'). */
    private readonly onStored: (blocks: number, bytes: number) => void,
  ) {
    this.server = createServer((sock) => this.serve(sock));
    // A placement takes one connection; a flood of ticketless ones cannot take every descriptor.
    this.server.maxConnections = MAX_CONNECTIONS;
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const a = this.server.address();
        this.port = typeof a === 'object' && a ? a.port : port;
        resolve(this.port);
      });
    });
  }

  /** A fresh one-time ticket for blocks of `jobId`. */
  issue(jobId: string): Buffer {
    const now = Date.now();
    for (const [k, t] of this.tickets) if (t.expires < now) this.tickets.delete(k);
    const ticket = randomBytes(BULK_TICKET_BYTES);
    this.tickets.set(ticket.toString('hex'), { jobId, expires: now + TICKET_TTL_MS });
    return ticket;
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private serve(sock: Socket): void {
    this.sockets.add(sock);
    sock.setNoDelay(true);
    sock.setTimeout(TICKET_WAIT_MS);
    const asm = new BlockAssembler(this.store, this.maxBlockBytes);
    // Small parts (ticket, frame length, header) gather in `part`; block bytes go straight on.
    let phase: 'ticket' | 'length' | 'header' | 'data' | 'done' = 'ticket';
    let part = Buffer.allocUnsafe(BULK_TICKET_BYTES);
    let partFilled = 0;
    let want = BULK_TICKET_BYTES;
    let remaining = 0;
    let jobId = '';

    const answer = (frame: Buffer): void => {
      phase = 'done';
      sock.setTimeout(0);
      sock.end(frame);
    };
    const fail = (e: unknown): void => {
      if (phase === 'done') return;
      this.log.warn({ err: messageOf(e), job: jobId || undefined }, 'bulk placement refused');
      // What was sent after the refusal is read and dropped: closing on unread data would reset
      // the connection and could lose the answer on its way.
      answer(resultFrame({ error: { code: statusOf(e), message: messageOf(e) } }));
    };
    const partDone = (): void => {
      if (phase === 'ticket') {
        const key = part.toString('hex');
        const t = this.tickets.get(key);
        this.tickets.delete(key);
        if (!t || t.expires < Date.now()) throw new PermissionError('bulk connection: unknown or expired ticket');
        jobId = t.jobId;
        sock.setTimeout(IDLE_MS);
        return expect('length', 4);
      }
      if (phase === 'length') {
        const n = part.readUInt32BE(0);
        if (n === 0 || n > BULK_MAX_FRAME) throw new InputError(`bulk connection: a header frame of ${n} bytes (at most ${BULK_MAX_FRAME})`);
        return expect('header', n);
      }
      let h;
      try {
        h = decodeHeader(part.subarray(0, partFilled));
      } catch (e) {
        throw new InputError(`bulk connection: an unreadable block header (${messageOf(e)})`);
      }
      if (h.jobId !== jobId) throw new PermissionError(`bulk connection: the ticket is for job '${jobId}', the header names '${h.jobId}'`);
      asm.header(h);
      remaining = Number(h.totalBytes);
      if (remaining > 0) phase = 'data';
      else expect('length', 4);
    };
    const expect = (next: 'length' | 'header', bytes: number): void => {
      phase = next;
      if (part.byteLength < bytes) part = Buffer.allocUnsafe(bytes);
      partFilled = 0;
      want = bytes;
    };

    sock.on('data', (d: Buffer) => {
      let off = 0;
      try {
        while (off < d.byteLength && phase !== 'done') {
          if (phase === 'data') {
            const n = Math.min(remaining, d.byteLength - off);
            asm.data(d.subarray(off, off + n));
            off += n;
            remaining -= n;
            if (remaining === 0) expect('length', 4);
          } else {
            const n = Math.min(want - partFilled, d.byteLength - off);
            part.set(d.subarray(off, off + n), partFilled);
            partFilled += n;
            off += n;
            if (partFilled === want) partDone();
          }
        }
      } catch (e) {
        fail(e);
      }
    });
    sock.on('end', () => {
      if (phase === 'done') return;
      try {
        if (phase !== 'length' || partFilled !== 0) throw new InputError(`bulk connection ended in the middle of a ${phase === 'data' ? 'block' : phase} (${remaining || want - partFilled} bytes short)`);
        asm.end();
      } catch (e) {
        return fail(e);
      }
      this.onStored(asm.blocksDone, asm.bytesReceived);
      this.log.debug({ blocks: asm.blocksDone, bytes: asm.bytesReceived }, 'blocks loaded over the bulk channel');
      answer(resultFrame({ stored: { blocksStored: asm.blocksDone, bytesReceived: String(asm.bytesReceived) } }));
    });
    sock.on('timeout', () => {
      if (phase === 'ticket') sock.destroy();
      else fail(new InputError(`bulk connection idle for ${IDLE_MS / 1000} s`));
    });
    // A peer gone mid-way: nobody to answer. Blocks it completed stay, as with LoadBlocks.
    sock.on('error', () => sock.destroy());
    sock.on('close', () => this.sockets.delete(sock));
  }
}
