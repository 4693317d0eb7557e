import { InputError } from '../errors';
import { float64ToBytes } from '../tensor';
import { chunks, CHUNK_BYTES } from './chunking';
import type { TensorChunk, TensorChunk__Output } from './types';

/**
 * A tensor larger than one message travels as a run of TensorChunk messages: the first carries
 * its name and shape, every one a slice of its little-endian float64 bytes (views, no copies).
 */
export function* tensorChunks(name: string, shape: readonly number[], values: Float64Array, chunkBytes = CHUNK_BYTES): Generator<TensorChunk> {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== values.length) throw new InputError(`${name}: shape (${shape.join(', ')}) needs ${count} values, has ${values.length}`);
  let first = true;
  for (const data of chunks(float64ToBytes(values), chunkBytes)) {
    yield { name, data, ...(first ? { shape: [...shape], first: true } : {}) };
    first = false;
  }
  if (first) yield { name, shape: [...shape], data: Buffer.alloc(0), first: true };
}

/**
 * The receiving end: chunks in, whole tensors out. Each tensor's memory is allocated once from its
 * shape and filled as chunks arrive; a chunk out of order, a tensor left short or overfilled is an
 * InputError naming it.
 */
export class TensorAssembler {
  private readonly done = new Map<string, { shape: number[]; values: Float64Array }>();
  private current: { name: string; shape: number[]; bytes: Uint8Array; got: number } | undefined;

  add(c: TensorChunk__Output): void {
    if (c.first) {
      this.checkComplete();
      if (this.done.has(c.name)) throw new InputError(`tensor ${c.name} sent twice`);
      const count = c.shape.reduce((a, b) => a * b, 1);
      if (!Number.isSafeInteger(count * 8)) throw new InputError(`tensor ${c.name}: shape (${c.shape.join(', ')}) is too large`);
      const values = new Float64Array(count);
      this.current = { name: c.name, shape: [...c.shape], bytes: new Uint8Array(values.buffer), got: 0 };
    }
    const cur = this.current;
    if (!cur || cur.name !== c.name) throw new InputError(`tensor ${c.name}: a chunk before its first one`);
    if (cur.got + c.data.byteLength > cur.bytes.byteLength) throw new InputError(`tensor ${c.name}: more bytes than its shape (${cur.shape.join(', ')}) holds`);
    cur.bytes.set(c.data, cur.got);
    cur.got += c.data.byteLength;
    if (cur.got === cur.bytes.byteLength) {
      this.done.set(cur.name, { shape: cur.shape, values: new Float64Array(cur.bytes.buffer, cur.bytes.byteOffset, cur.bytes.byteLength / 8) });
      this.current = undefined;
    }
  }

  /** Every tensor received, by name; throws when one is incomplete. */
  tensors(): Record<string, { shape: number[]; values: Float64Array }> {
    this.checkComplete();
    return Object.fromEntries(this.done);
  }

  private checkComplete(): void {
    const cur = this.current;
    if (cur) throw new InputError(`tensor ${cur.name}: ${cur.got} of its ${cur.bytes.byteLength} bytes arrived`);
  }
}
