import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decodeState, encodeState } from './codec';
import { writeFileAtomic } from '../../shared/fs';

/**
 * One checkpoint on disk, self-checking:
 *
 *   "CODACKP1"  u32 LE header length  header JSON  zero padding to 8  arrays (raw LE doubles)  sha256 (32)
 *
 * The header holds the meta fields, the state as tagged JSON (codec.ts) whose Float64Arrays are
 * indices into the arrays section, and each array's length. The trailing SHA-256 covers every
 * byte before it, so a file cut short or damaged is refused as a whole, never half-read. Written
 * with writeFileAtomic: a crash mid-write leaves the previous checkpoint in place.
 */

const MAGIC = Buffer.from('CODACKP1', 'ascii');

export interface CheckpointMeta {
  /** The job kind and the runner's state version: a checkpoint is only resumed by the same. */
  kind: string;
  version: number;
  /** Iterations (or the runner's unit) done when it was taken. */
  round: number;
  /** Lines of the job's history log it covers (later lines are from rounds that will be redone). */
  historyCount: number;
  historyBytes: number;
  /** The job session's round counter (chaos schedules count in it). */
  sessionRounds: number;
  savedAt: string;
  /** Restarts before this checkpoint, oldest first. */
  restarts: RestartRecord[];
}

/** One master restart a job lived through. */
export interface RestartRecord {
  /** The round the resumed master went on from (the checkpoint's). */
  resumedFromRound: number;
  /** Rounds done after that checkpoint and before the crash: done again. */
  roundsRedone: number;
  /** When the resumed master started the job again, and when the checkpoint it went on from was taken. */
  resumedAt: string;
  /** null: no usable checkpoint, the job started over. */
  checkpointAt: string | null;
}

export interface CheckpointData extends CheckpointMeta {
  state: unknown;
}

export function encodeCheckpoint(c: CheckpointData): Buffer[] {
  const arrays: Float64Array[] = [];
  const { state, ...meta } = c;
  const stateJson = encodeState(state, arrays);
  const header = Buffer.from(JSON.stringify({ ...meta, state: stateJson, arrays: arrays.map((a) => a.length) }), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.byteLength);
  const pad = Buffer.alloc((8 - ((MAGIC.byteLength + 4 + header.byteLength) % 8)) % 8);
  const parts: Buffer[] = [MAGIC, len, header, pad, ...arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))];
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p);
  parts.push(hash.digest());
  return parts;
}

/** Parses a checkpoint file's bytes; throws a one-line reason when they are not a whole checkpoint. */
export function decodeCheckpoint(buf: Buffer): CheckpointData {
  if (buf.byteLength < MAGIC.byteLength + 4 + 32 || !buf.subarray(0, MAGIC.byteLength).equals(MAGIC)) throw new Error('not a Coda checkpoint (bad magic)');
  const body = buf.subarray(0, buf.byteLength - 32);
  if (!createHash('sha256').update(body).digest().equals(buf.subarray(buf.byteLength - 32))) throw new Error('checksum mismatch (cut short or damaged)');
  const hlen = body.readUInt32LE(MAGIC.byteLength);
  const hstart = MAGIC.byteLength + 4;
  if (hstart + hlen > body.byteLength) throw new Error('header runs past the end');
  const header = JSON.parse(body.subarray(hstart, hstart + hlen).toString('utf8')) as CheckpointMeta & { state: string; arrays: number[] };
  let off = hstart + hlen;
  off += (8 - (off % 8)) % 8;
  const arrays: Float64Array[] = [];
  for (const n of header.arrays) {
    if (off + 8 * n > body.byteLength) throw new Error('arrays run past the end');
    // A copy in aligned memory (the file buffer's offset need not be a multiple of 8).
    const a = new Float64Array(n);
    new Uint8Array(a.buffer).set(body.subarray(off, off + 8 * n));
    arrays.push(a);
    off += 8 * n;
  }
  if (off !== body.byteLength) throw new Error(`${body.byteLength - off} stray bytes after the arrays`);
  const { state, arrays: _lengths, ...meta } = header;
  return { ...meta, state: decodeState(state, arrays) };
}

export function writeCheckpoint(path: string, c: CheckpointData): void {
  writeFileAtomic(path, encodeCheckpoint(c));
}

export function readCheckpoint(path: string): CheckpointData {
  return decodeCheckpoint(readFileSync(path));
}
