import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file so that a crash at any moment leaves either the old file or the new one, and a
 * power cut after return keeps the new one: write a temporary file beside it, fsync it, rename it
 * over the target (atomic on POSIX), then fsync the folder so the rename itself is on disk.
 */
export function writeDurable(path: string, parts: string | Uint8Array | readonly Uint8Array[]): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  const chunks = typeof parts === 'string' ? [Buffer.from(parts, 'utf8')] : parts instanceof Uint8Array ? [parts] : parts;
  try {
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
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  syncDir(dir);
}

/** fsync of a folder: makes a rename or a new file in it durable. */
export function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
