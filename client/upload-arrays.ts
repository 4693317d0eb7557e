import { createReadStream, fstatSync, openSync, readSync, closeSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { ClusterError, fromServiceError, InputError } from '../shared/errors';
import { float64ToBytes, parseNpyHeader } from '../shared/tensor';
import { CHANNEL_OPTIONS, channelCredentials, chunks, CHUNK_BYTES, loadProtos, tokenMetadata, type TlsFiles, type pb } from '../shared/wire';

/** One array to upload: its name (what the job calls it, `upload:NAME`), shape, and its bytes in order. */
export interface ArraySource {
  name: string;
  shape: number[];
  /** Little-endian float64 bytes in C order, in pieces of at most CHUNK_BYTES. */
  chunks(): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

/** An array in memory (views of its bytes, no copies). */
export function arrayFromValues(name: string, shape: number[], values: Float64Array): ArraySource {
  return { name, shape, chunks: () => chunks(float64ToBytes(values)) };
}

/**
 * A float64 .npy file, streamed from disk after its header (never held whole): the header is read
 * and checked now (dtype, order, size against the shape), so a bad file is refused before
 * anything is sent.
 */
export function arrayFromNpyFile(name: string, path: string): ArraySource {
  let header;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 1 << 16));
    readSync(fd, head, 0, head.length, 0);
    header = parseNpyHeader(head, path);
    const bytes = 8 * header.shape.reduce((a, b) => a * b, 1);
    if (size - header.dataStart !== bytes) throw new InputError(`${path}: shape (${header.shape.join(', ')}) needs ${bytes} data bytes, file has ${size - header.dataStart}`);
  } finally {
    closeSync(fd);
  }
  const start = header.dataStart;
  return { name, shape: header.shape, chunks: () => createReadStream(path, { start, highWaterMark: CHUNK_BYTES }) as AsyncIterable<Uint8Array> };
}

export interface UploadOptions {
  token?: string;
  tls?: TlsFiles;
  signal?: AbortSignal;
}

/**
 * Sends arrays to a master (UploadArrays, a client stream on the call's flow control) and
 * resolves with the upload's id, for SubmitJob's upload_id. The master refuses an upload larger
 * than its limits before anything is stored (ResourceError, exit 2); a broken or cancelled upload
 * leaves nothing on the master.
 */
export async function uploadArrays(address: string, arrays: readonly ArraySource[], opts: UploadOptions = {}): Promise<{ uploadId: string; names: string[]; bytes: number }> {
  const { master } = loadProtos();
  const client = new master.coda.v1.Master(address, channelCredentials(opts.tls), CHANNEL_OPTIONS);
  const total = arrays.reduce((s, a) => s + 8 * a.shape.reduce((x, y) => x * y, 1), 0);
  let answered = false;
  let onAnswer = (): void => {};
  const answer = new Promise<void>((r) => (onAnswer = r));
  const onAbort = (): void => call.cancel();
  let call!: grpc.ClientWritableStream<pb.UploadChunk>;
  const reply = new Promise<{ uploadId: string; names: string[]; bytes: number }>((resolve, reject) => {
    call = client.uploadArrays(tokenMetadata(opts.token), (e, r) => {
      answered = true;
      onAnswer();
      if (e || !r) return reject(e ? fromServiceError(e, `master ${address}`) : new ClusterError(`master ${address}: empty upload reply`));
      resolve({ uploadId: r.uploadId, names: r.names, bytes: Number(r.bytes) });
    });
  });
  // A refusal may arrive while this side is still sending: it is awaited below.
  reply.catch(() => {});
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const write = async (msg: pb.UploadChunk): Promise<void> => {
    // A refusal may come while the stream is waiting to drain: nothing more would drain then.
    if (!answered && !call.write(msg)) await Promise.race([new Promise((r) => call.once('drain', r)), answer]);
  };
  try {
    await sendAll();
    return await reply;
  } catch (e) {
    // A file that could not be read, or the caller's abort: the master deletes what it got.
    if (!answered) call.cancel();
    await reply.catch(() => {});
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    client.close();
  }

  async function sendAll(): Promise<void> {
    let first = true;
    for (const a of arrays) {
      await write({ name: a.name, shape: a.shape, ...(first ? { totalBytes: total } : {}) });
      first = false;
      for await (const piece of a.chunks()) {
        if (answered) break;
        await write({ data: piece });
      }
    }
    if (first) await write({ totalBytes: total });
    if (!answered) call.end();
  }
}
