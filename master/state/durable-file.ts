import { closeSync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../../shared/tensor';

/**
 * Writes a file so that a crash at any moment leaves either the old file or the new one, and a
 * power cut after return keeps the new one: the atomic write (a temporary file beside it, fsynced,
 * renamed over the target), then an fsync of the folder so the rename itself is on disk.
 */
export function writeDurable(path: string, parts: string | Uint8Array | readonly Uint8Array[]): void {
  writeFileAtomic(path, parts);
  syncDir(dirname(path));
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
