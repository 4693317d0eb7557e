import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import { CancelledError, ClusterError, CodaError, InputError, ResourceError, toServiceError } from '../../shared/errors';
import type { Logger } from '../../shared/log';
import { npyHeader } from '../../shared/tensor';
import type { pb } from '../../shared/wire';
import { machineAvailableBytes } from '../jobs';
import { UploadState, ARRAY_NAME, type UploadLimits, type UploadStep } from './upload-state';

/** A finished upload, not yet claimed by a job: its folder holds NAME.npy for each array. */
export interface HeldUpload {
  id: string;
  dir: string;
  names: string[];
  bytes: number;
}

export interface UploadStoreOptions {
  /** Where uploads are written (DIR/<upload id>/NAME.npy). Absent: each upload in a temporary folder of its own (no shared folder for a killed master to leave behind). */
  root?: string;
  /** The per-job limit (`--max-upload-bytes`). */
  maxBytes: number;
  /** An upload no SubmitJob claims within this long is deleted. */
  unclaimedSeconds: number;
  log: Logger;
  /** For tests: the memory and disk the limits see. */
  limits?: Partial<Pick<UploadLimits, 'availableMemory' | 'freeDisk'>>;
}

/** The default per-job upload limit: 4 GiB (a job's arrays are loaded whole by the master). */
export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 2 ** 30;
export const DEFAULT_UNCLAIMED_SECONDS = 600;

/** Writes queued past this many bytes pause the stream until the disk catches up (flow control back to the sender). */
const WRITE_BACKLOG_BYTES = 8 << 20;

/** `upload:NAME`: a data path naming an array uploaded with the job. */
export const UPLOAD_PREFIX = 'upload:';

/**
 * The master's uploads (UploadArrays): each stream is checked by UploadState and written to its
 * own folder as it arrives, NAME.npy per array (so the job's loaders read it like any data file).
 * A stream that fails or is cut off leaves nothing behind; a finished upload waits for the
 * SubmitJob that claims it (the job owns the folder from then on) and is deleted if none comes.
 */
export class UploadStore {
  private readonly held = new Map<string, { upload: HeldUpload; timer: NodeJS.Timeout }>();
  private readonly receiving = new Set<string>();
  private closed = false;

  constructor(private readonly o: UploadStoreOptions) {}

  /** The UploadArrays handler. */
  readonly handler: grpc.handleClientStreamingCall<pb.UploadChunk__Output, pb.UploadReply> = (call, cb) => {
    if (this.closed) return cb(toServiceError(new ClusterError('the master is shutting down')));
    const id = randomBytes(12).toString('hex');
    const dir = this.o.root ? join(this.o.root, id) : mkdtempSync(join(tmpdir(), 'coda-upload-'));
    this.receiving.add(dir);
    const state = new UploadState(this.limits());
    let file: FileHandle | undefined;
    let chain: Promise<void> = Promise.resolve();
    let backlog = 0;
    let over = false;
    const finish = (e: unknown, reply?: pb.UploadReply): void => {
      if (over) return;
      over = true;
      this.receiving.delete(dir);
      if (e) {
        void file?.close().catch(() => {});
        rmSync(dir, { recursive: true, force: true });
        if (!(e instanceof CancelledError)) this.o.log.warn({ upload: id, err: (e as Error).message }, 'upload refused');
        // The status ends the call: the sender's remaining messages are not read.
        cb(toServiceError(e));
      } else {
        cb(null, reply);
      }
    };
    const apply = async (steps: UploadStep[]): Promise<void> => {
      for (const s of steps) {
        if (s.type === 'open') {
          mkdirSync(dir, { recursive: true });
          file = await open(join(dir, `${s.name}.npy`), 'wx');
          await file.write(npyHeader(s.shape));
        } else if (s.type === 'write') {
          await file!.write(s.data);
        } else {
          await file!.close();
          file = undefined;
        }
      }
    };
    call.on('data', (m: pb.UploadChunk__Output) => {
      if (over) return;
      let steps: UploadStep[];
      try {
        steps = state.accept(m);
      } catch (e) {
        return finish(e);
      }
      backlog += m.data.byteLength;
      if (backlog > WRITE_BACKLOG_BYTES) call.pause();
      chain = chain.then(async () => {
        if (over) return;
        await apply(steps);
        backlog -= m.data.byteLength;
        if (backlog <= WRITE_BACKLOG_BYTES && call.isPaused()) call.resume();
      });
      chain.catch((e: unknown) => finish(writeError(e)));
    });
    call.on('end', () => {
      void chain.then(
        () => {
          if (over) return;
          let done: { names: string[]; bytes: number };
          try {
            done = state.finish();
          } catch (e) {
            return finish(e);
          }
          if (done.names.length === 0) mkdirSync(dir, { recursive: true });
          this.hold({ id, dir, ...done });
          this.o.log.info({ upload: id, arrays: done.names, bytes: done.bytes }, 'upload received');
          finish(undefined, { uploadId: id, names: done.names, bytes: done.bytes });
        },
        () => {},
      );
    });
    call.on('cancelled', () => finish(new CancelledError('upload cancelled by the sender')));
    call.on('error', (e: Error) => finish(new ClusterError(`upload broke: ${e.message}`)));
  };

  /** The finished upload `id`, now the caller's (a job) to delete with drop(); InputError when this master does not hold it. */
  claim(id: string): HeldUpload {
    const h = this.held.get(id);
    if (!h) throw new InputError(`upload '${id.slice(0, 64)}' is not held by this master (never finished, already used by a job, or deleted after ${this.o.unclaimedSeconds} s unclaimed)`);
    clearTimeout(h.timer);
    this.held.delete(id);
    return h.upload;
  }

  /** Deletes an upload's folder (a job's, when it ends or is refused). */
  drop(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
  }

  /** Deletes every upload folder under the root but `keep` (a restarted master: uploads of the jobs it resumes). */
  sweep(keep: ReadonlySet<string>): void {
    const root = this.o.root;
    if (!root || !existsSync(root)) return;
    for (const name of readdirSync(root)) {
      const dir = join(root, name);
      if (!keep.has(resolve(dir)) && !this.receiving.has(dir) && !this.held.has(name)) rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Unclaimed uploads and streams in progress are deleted; claimed ones are their jobs'. */
  close(): void {
    this.closed = true;
    for (const { upload, timer } of this.held.values()) {
      clearTimeout(timer);
      this.drop(upload.dir);
    }
    this.held.clear();
    for (const dir of this.receiving) rmSync(dir, { recursive: true, force: true });
  }

  private hold(upload: HeldUpload): void {
    const timer = setTimeout(() => {
      this.held.delete(upload.id);
      this.drop(upload.dir);
      this.o.log.info({ upload: upload.id }, `upload deleted: no job claimed it within ${this.o.unclaimedSeconds} s`);
    }, this.o.unclaimedSeconds * 1000);
    timer.unref();
    this.held.set(upload.id, { upload, timer });
  }

  private limits(): UploadLimits {
    const root = this.o.root ?? tmpdir();
    if (this.o.root) mkdirSync(this.o.root, { recursive: true });
    return {
      maxBytes: this.o.maxBytes,
      availableMemory: this.o.limits?.availableMemory ?? machineAvailableBytes,
      freeDisk:
        this.o.limits?.freeDisk ??
        (() => {
          const s = statfsSync(root);
          return s.bavail * s.bsize;
        }),
    };
  }
}

function writeError(e: unknown): CodaError {
  if (e instanceof CodaError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new ResourceError("upload refused: the master's upload folder is full");
  return new ClusterError(`upload failed on the master: ${code ?? (e as Error).message}`);
}

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * A job with its data's `upload:NAME` paths bound to the files of its upload (`dir`): every other
 * string is left as it was (a path under the data root). An `upload:` path in a job without an
 * upload, or naming an array it does not hold, is an InputError naming its key.
 */
export function bindUploadPaths<J extends { data: unknown }>(job: J, dir: string | undefined, source: string): J {
  const walk = (node: unknown, path: string): unknown => {
    if (typeof node === 'string') {
      if (!node.startsWith(UPLOAD_PREFIX)) return node;
      const name = node.slice(UPLOAD_PREFIX.length);
      if (!dir) throw new InputError(`${source}: ${path}: ${node} names an uploaded array, but no upload came with the job (UploadArrays, then SubmitJob with its upload_id)`);
      const file = join(dir, `${name}.npy`);
      if (!ARRAY_NAME.test(name) || !existsSync(file)) throw new InputError(`${source}: ${path}: no array named '${name.slice(0, 64)}' was uploaded with the job`);
      return file;
    }
    if (node && typeof node === 'object' && !Array.isArray(node)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = k === 'synthetic' ? v : walk(v, `${path}.${k}`);
      return out;
    }
    return node;
  };
  return { ...job, data: walk(job.data, 'data') };
}

/** The data root's check, letting through the files of the job's own upload. */
export function allowUploadDir(dir: string | undefined, check: (abs: string, key: string) => void): (abs: string, key: string) => void {
  if (!dir) return check;
  return (abs, key) => {
    if (!inside(dir, abs)) check(abs, key);
  };
}

/** A message naming upload files as the job named them (`upload:A`), not by the master's folder. */
export function uploadNamesIn(message: string, dir: string | undefined): string {
  if (!dir) return message;
  return message.split(dir + sep).join(UPLOAD_PREFIX).replace(/(upload:[A-Za-z0-9._-]+)\.npy/g, '$1');
}
