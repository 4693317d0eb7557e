import { InputError, ResourceError } from '../../shared/errors';
import type { pb } from '../../shared/wire';
import { formatBytes } from '../jobs';

/** An uploaded array's name: a file name in the upload's folder, nothing that climbs out of it. */
export const ARRAY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Arrays one upload may carry (a job names a handful). */
export const MAX_ARRAYS = 64;

/** What an upload may take, asked when its first message declares its size. */
export interface UploadLimits {
  /** The per-job limit (`coda master --max-upload-bytes`). */
  maxBytes: number;
  /** Memory the master may still allocate: the job loads its arrays whole. */
  availableMemory(): number;
  /** Free bytes on the upload folder's file system. */
  freeDisk(): number;
}

/** What the I/O shell does with one message: open an array's file, append bytes to it, close it. */
export type UploadStep =
  | { type: 'open'; name: string; shape: number[]; bytes: number }
  | { type: 'write'; data: Uint8Array }
  | { type: 'close'; name: string };

/**
 * The pure state of one UploadArrays stream (no sockets, no files): checks every message against
 * the declared total, the limits and the array in progress, and says what to write. Throws
 * ResourceError (RESOURCE_EXHAUSTED) for an upload too large, before anything is stored, and
 * InputError for a malformed stream; either way the shell deletes what it wrote.
 */
export class UploadState {
  private declared: number | undefined;
  private received = 0;
  private current: { name: string; bytes: number; got: number } | undefined;
  readonly names: string[] = [];

  constructor(private readonly limits: UploadLimits) {}

  accept(m: pb.UploadChunk__Output): UploadStep[] {
    const steps: UploadStep[] = [];
    if (this.declared === undefined) this.declare(Number(m.totalBytes));
    else if (m.totalBytes !== '0' && m.totalBytes !== '') throw new InputError('upload: total_bytes may be given on the first message only');
    if (m.name !== '') {
      if (this.current) throw new InputError(`upload: array '${m.name}' started before '${this.current.name}' was complete (${this.current.got} of ${this.current.bytes} bytes)`);
      steps.push(this.open(m.name, m.shape));
    } else if (m.shape.length > 0) {
      throw new InputError('upload: a shape without a name (an array starts with a message carrying both)');
    }
    if (m.data.byteLength > 0) {
      const cur = this.current;
      if (!cur) throw new InputError('upload: data before any array was named');
      if (cur.got + m.data.byteLength > cur.bytes) throw new InputError(`upload: array '${cur.name}' has more bytes than its shape holds (${cur.bytes})`);
      cur.got += m.data.byteLength;
      this.received += m.data.byteLength;
      steps.push({ type: 'write', data: m.data });
    }
    if (this.current && this.current.got === this.current.bytes) {
      steps.push({ type: 'close', name: this.current.name });
      this.current = undefined;
    }
    return steps;
  }

  /** The stream ended: every array whole and the bytes as declared, or an InputError saying what is missing. */
  finish(): { names: string[]; bytes: number } {
    if (this.declared === undefined) throw new InputError('upload: no arrays were sent');
    if (this.current) throw new InputError(`upload: array '${this.current.name}' ended after ${this.current.got} of its ${this.current.bytes} bytes`);
    if (this.received !== this.declared) throw new InputError(`upload: declared ${this.declared} bytes, sent ${this.received}`);
    return { names: [...this.names], bytes: this.received };
  }

  private declare(total: number): void {
    if (!Number.isSafeInteger(total) || total < 0) throw new InputError('upload: the first message must declare total_bytes');
    const { maxBytes } = this.limits;
    const refuse = (what: string): never => {
      throw new ResourceError(`upload of ${total} bytes (${formatBytes(total)}) refused: ${what}`);
    };
    if (total > maxBytes) refuse(`more than this master's per-job limit of ${maxBytes} bytes (${formatBytes(maxBytes)}; coda master --max-upload-bytes)`);
    const memory = this.limits.availableMemory();
    if (total > memory) refuse(`the job would load more than the ${formatBytes(memory)} of memory the master has available`);
    const disk = this.limits.freeDisk();
    if (total > disk) refuse(`more than the ${formatBytes(disk)} free in the master's upload folder`);
    this.declared = total;
  }

  private open(name: string, shape: number[]): UploadStep {
    if (!ARRAY_NAME.test(name)) throw new InputError(`upload: array name '${name.slice(0, 80)}' is not valid (letters, digits, '.', '_', '-'; at most 64, not starting with a punctuation mark)`);
    if (this.names.includes(name)) throw new InputError(`upload: array '${name}' sent twice`);
    if (this.names.length >= MAX_ARRAYS) throw new InputError(`upload: more than ${MAX_ARRAYS} arrays`);
    if (shape.length === 0 || shape.length > 2) throw new InputError(`upload: array '${name}' has shape (${shape.join(', ')}); Coda's data are vectors and matrices (1-D or 2-D)`);
    const bytes = 8 * shape.reduce((a, b) => a * b, 1);
    if (this.received + bytes > this.declared!) throw new InputError(`upload: array '${name}' (${formatBytes(bytes)}) goes past the declared total of ${this.declared} bytes`);
    this.names.push(name);
    this.current = { name, bytes, got: 0 };
    return { type: 'open', name, shape: [...shape], bytes };
  }
}
