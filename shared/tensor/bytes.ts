import { endianness } from 'node:os';
import { InputError } from '../errors';

// Coda's wire and file formats are little-endian; every machine we run on is too. Refuse loudly
// rather than silently byte-swap on a big-endian host nobody has tested.
if (endianness() !== 'LE') throw new Error('Coda requires a little-endian host');

/** Float64Array -> bytes without copying (a view of the same memory). */
export function float64ToBytes(values: Float64Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

/**
 * bytes -> Float64Array. Views the same memory when the bytes are 8-byte aligned (protobufjs
 * usually hands us a slice of the receive buffer, which often is not), otherwise copies once.
 */
export function bytesToFloat64(bytes: Uint8Array, what = 'tensor'): Float64Array {
  if (bytes.byteLength % 8 !== 0) {
    throw new InputError(`${what}: ${bytes.byteLength} bytes is not a whole number of float64 values`);
  }
  if (bytes.byteOffset % 8 === 0) {
    return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
  }
  const copy = new Float64Array(bytes.byteLength / 8);
  new Uint8Array(copy.buffer).set(bytes);
  return copy;
}
