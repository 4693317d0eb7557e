import { closeSync, copyFileSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * The one way Coda writes a file others read (results, tensors, reports, checkpoints, job state):
 * into a temporary file beside the target, fsynced, renamed over the target, and the folder
 * fsynced. Rename is atomic on POSIX file systems, so a crash at any moment leaves the old file or
 * the new one, never half of one; the two fsyncs make the new one survive a power cut once the
 * call returns.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  // Chunks are written one after another (a checkpoint's parts need not be joined in memory first).
  const chunks = typeof data === 'string' ? [Buffer.from(data, 'utf8')] : data instanceof Uint8Array ? [data] : data;
  intoPlace(path, (tmp) => {
    const fd = openSync(tmp, 'w');
    try {
      for (const c of chunks) {
        let off = 0;
        while (off < c.byteLength) off += writeSync(fd, c, off, c.byteLength - off);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  });
}

/** Copies a file to `to` with writeFileAtomic's guarantee (readers never see half of it). */
export function copyFileAtomic(from: string, to: string): void {
  intoPlace(to, (tmp) => {
    copyFileSync(from, tmp);
    syncFile(tmp);
  });
}

/**
 * Moves a finished file to `to` with writeFileAtomic's guarantee: a rename on the same file
 * system, a copy into place and a removal across file systems.
 */
export function moveFileAtomic(from: string, to: string): void {
  try {
    syncFile(from);
    renameSync(from, to);
    syncDir(dirname(to));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    copyFileAtomic(from, to);
    rmSync(from, { force: true });
  }
}

/** Fills a temporary file beside `path` with `fill`, renames it over `path`, fsyncs the folder. */
function intoPlace(path: string, fill: (tmp: string) => void): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    fill(tmp);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  syncDir(dir);
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** fsync of a folder: makes a rename or a new file in it durable. */
function syncDir(dir: string): void {
  syncFile(dir);
}
