import { closeSync, fstatSync, readSync } from 'node:fs';
import { openRegularFile, readRegularFile } from '../fs';
import { InputError } from '../errors';
import { bytesToFloat64, float64ToBytes } from './bytes';
import { writeFileAtomic } from '../fs';

/**
 * NumPy's .npy format (versions 1-3), float64 only, as numpy.save writes it:
 * magic "\x93NUMPY", version, header length, a Python dict literal, padding, then the data.
 */
const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

export interface NpyArray {
  shape: number[];
  data: Float64Array;
}

/** What a .npy header says: the shape, and where the data starts. */
export interface NpyHeader {
  shape: number[];
  dataStart: number;
}

/** Bytes that hold a .npy file's magic, version and header length (the dict follows). */
const HEADER_PROBE = 12;

/**
 * Parses the header at the start of `buf` (which must hold at least the whole header). Messages
 * name what is wrong, never quote the file's text (a master's errors go back to whoever submitted
 * the job).
 */
export function parseNpyHeader(buf: Buffer, source = 'array'): NpyHeader {
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
    throw new InputError(`${source}: malformed .npy header (needs 'descr', 'fortran_order' and 'shape')`);
  }
  if (descr !== '<f8' && descr !== 'f8' && descr !== '=f8') {
    // A numpy dtype string is named; anything else in its place is not quoted.
    const shown = /^[<>|=]?[a-zA-Z]\d{0,2}$/.test(descr) ? `'${descr}'` : 'another dtype';
    throw new InputError(`${source}: expected float64 ('<f8') data, got ${shown}; convert with a.astype(np.float64)`);
  }
  if (fortran === 'True') {
    throw new InputError(`${source}: Fortran-ordered arrays are not supported; save np.ascontiguousarray(a)`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number(s.replace(/L$/, '')));
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new InputError(`${source}: malformed shape in the .npy header`);
  }
  return { shape, dataStart: offset + headerLen };
}

function checkDataBytes(h: NpyHeader, fileBytes: number, source: string): number {
  const count = h.shape.reduce((a, b) => a * b, 1);
  if (fileBytes - h.dataStart !== count * 8) {
    throw new InputError(`${source}: shape (${h.shape.join(', ')}) needs ${count * 8} data bytes, file has ${fileBytes - h.dataStart}`);
  }
  return count;
}

export function parseNpy(buf: Buffer, source = 'array'): NpyArray {
  const h = parseNpyHeader(buf, source);
  checkDataBytes(h, buf.length, source);
  const data = bytesToFloat64(buf.subarray(h.dataStart), source);
  // Own the memory so callers can keep it after the file buffer is gone.
  return { shape: h.shape, data: data.buffer === buf.buffer ? data.slice() : data };
}

/**
 * A .npy file's shape from its header alone (the data is not read): what the checks that run
 * before anything starts see of a data file. The file's size must match the shape.
 */
export function readNpyShape(path: string): number[] {
  let fd: number | undefined;
  try {
    fd = openRegularFile(path);
    const size = fstatSync(fd).size;
    const probe = Buffer.alloc(Math.min(size, HEADER_PROBE));
    readSync(fd, probe, 0, probe.length, 0);
    // Version 1 stores a 2-byte header length, versions 2 and 3 a 4-byte one.
    const len = probe.length >= 10 && probe.subarray(0, 6).equals(MAGIC) ? (probe[6] === 1 ? 10 + probe.readUInt16LE(8) : probe.length >= 12 ? 12 + probe.readUInt32LE(8) : 0) : 0;
    const head = Buffer.alloc(Math.min(size, Math.max(len, probe.length), 1 << 20));
    readSync(fd, head, 0, head.length, 0);
    const h = parseNpyHeader(head, path);
    checkDataBytes(h, size, path);
    return h.shape;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The .npy header (magic, version 1, the dict, padding) for float64 C-order data of `shape`: the data follows it. */
export function npyHeader(shape: readonly number[]): Buffer {
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
  return Buffer.concat([pre, Buffer.from(header, 'latin1')]);
}

export function formatNpy(shape: readonly number[], data: Float64Array): Buffer {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new InputError(`cannot write shape (${shape.join(', ')}) with ${data.length} values`);
  }
  return Buffer.concat([npyHeader(shape), float64ToBytes(data)]);
}

export function readNpy(path: string): NpyArray {
  let buf: Buffer;
  try {
    buf = readRegularFile(path);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseNpy(buf, path);
}

/** Writes atomically: a reader never sees a half-written file. */
export function writeNpy(path: string, shape: readonly number[], data: Float64Array): void {
  writeFileAtomic(path, formatNpy(shape, data));
}
