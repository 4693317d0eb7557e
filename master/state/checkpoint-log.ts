import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { decodeState, encodeState } from './codec';

/**
 * A job's history as an append-only file of lines (one record a line, tagged JSON: codec.ts), so
 * a checkpoint stays small however long the run: the checkpoint only says how many lines (and
 * bytes) it covers. Lines written after the last checkpoint belong to rounds a resumed master
 * redoes, so opening the log at a checkpoint cuts them off.
 */
export class CheckpointLog {
  private fd: number;
  /** Lines and bytes in the file. */
  count = 0;
  bytes = 0;

  /**
   * Opens `path` at `at` (the checkpoint's count and bytes; absent: empty) and returns the records
   * it keeps. Throws when the file holds fewer than the checkpoint covers.
   */
  static open(path: string, at?: { count: number; bytes: number }): { log: CheckpointLog; records: unknown[] } {
    const want = at ?? { count: 0, bytes: 0 };
    let records: unknown[] = [];
    if (want.bytes > 0) {
      if (!existsSync(path)) throw new Error(`history log ${path} is missing (the checkpoint covers ${want.count} lines)`);
      const text = readFileSync(path).subarray(0, want.bytes).toString('utf8');
      const lines = text.split('\n');
      if (lines.pop() !== '' || lines.length !== want.count) throw new Error(`history log ${path} holds fewer lines than its checkpoint covers (${want.count})`);
      records = lines.map((l) => decodeState(l));
    }
    const log = new CheckpointLog(path, want);
    return { log, records };
  }

  private constructor(
    readonly path: string,
    at: { count: number; bytes: number },
  ) {
    this.fd = openSync(path, existsSync(path) ? 'r+' : 'w+');
    ftruncateSync(this.fd, at.bytes);
    this.count = at.count;
    this.bytes = at.bytes;
  }

  /** Appends records (not yet durable: `sync` before a checkpoint names them). */
  append(records: readonly unknown[]): void {
    if (records.length === 0) return;
    const buf = Buffer.from(records.map((r) => `${encodeState(r)}\n`).join(''), 'utf8');
    let off = 0;
    while (off < buf.byteLength) off += writeSync(this.fd, buf, off, buf.byteLength - off, this.bytes + off);
    this.bytes += buf.byteLength;
    this.count += records.length;
  }

  sync(): void {
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }
}
