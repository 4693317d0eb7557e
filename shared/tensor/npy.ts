import { readFileSync } from 'node:fs';
import { InputError } from '../errors';
import { bytesToFloat64, float64ToBytes } from './bytes';
import { writeFileAtomic } from './atomic-write';

/**
 * NumPy's .npy format (versions 1-3), float64 only, as numpy.save writes it:
 * magic "\x93NUMPY", version, header length, a Python dict literal, padding, then the data.
 */
const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

export interface NpyArray {
  shape: number[];
  data: Float64Array;
}

export function parseNpy(buf: Buffer, source = 'array'): NpyArray {
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) {
    throw new InputError(`${source}: not a .npy file (missing the \\x93NUMPY magic)`);
  }
  const major = buf[6]!;
  let headerLen: number;
  let offset: number;
  if (major === 1) {
    headerLen = buf.readUInt16LE(8);
    offset = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) throw new InputError(`${source}: truncated .npy header`);
    headerLen = buf.readUInt32LE(8);
    offset = 12;
  } else {
    throw new InputError(`${source}: unsupported .npy version ${major}`);
  }
  if (offset + headerLen > buf.length) throw new InputError(`${source}: truncated .npy header`);
  const header = buf.subarray(offset, offset + headerLen).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new InputError(`${source}: malformed .npy header: ${header.trim()}`);
  }
  if (descr !== '<f8' && descr !== 'f8' && descr !== '=f8') {
    throw new InputError(`${source}: expected float64 ('<f8') data, got '${descr}'; convert with a.astype(np.float64)`);
  }
  if (fortran === 'True') {
    throw new InputError(`${source}: Fortran-ordered arrays are not supported; save np.ascontiguousarray(a)`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number(s.replace(/L$/, '')));
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new InputError(`${source}: malformed shape (${shapeText}) in .npy header`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = offset + headerLen;
  if (buf.length - dataStart !== count * 8) {
    throw new InputError(
      `${source}: shape (${shape.join(', ')}) needs ${count * 8} data bytes, file has ${buf.length - dataStart}`,
    );
  }
  const data = bytesToFloat64(buf.subarray(dataStart), source);
  // Own the memory so callers can keep it after the file buffer is gone.
  return { shape, data: data.buffer === buf.buffer ? data.slice() : data };
}

export function formatNpy(shape: readonly number[], data: Float64Array): Buffer {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new InputError(`cannot write shape (${shape.join(', ')}) with ${data.length} values`);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad so the data starts on a 64-byte boundary, with a final newline, as numpy does.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  MAGIC.copy(pre, 0);
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), float64ToBytes(data)]);
}

export function readNpy(path: string): NpyArray {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseNpy(buf, path);
}

/** Writes atomically: a reader never sees a half-written file. */
export function writeNpy(path: string, shape: readonly number[], data: Float64Array): void {
  writeFileAtomic(path, formatNpy(shape, data));
}
