import { closeSync, constants, fstatSync, openSync, readFileSync, statSync, type Stats } from 'node:fs';
import { InputError } from '../errors';

/**
 * Coda reads its inputs (data, job, experiment, trace files) only from regular files. Opening a
 * FIFO for reading blocks until a writer comes, and reading /dev/zero never ends: either would
 * hang a run before its first line of output. So a path is stat'ed (following links: a link to a
 * regular file is fine) before it is opened, and opened without blocking and checked again on
 * the descriptor, in case the path was swapped in between.
 */

/** What a file that is not a regular file is, for the message. */
function kindOf(st: Stats): string {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isDirectory()) return 'a folder';
  return 'something else';
}

function notRegular(path: string, st: Stats): InputError {
  return new InputError(`${path} is ${kindOf(st)}, not a regular file`);
}

/**
 * Throws an InputError when `path` exists and is not a regular file. A missing or unreadable
 * path is left to the caller (its errno error is rethrown as is), which names it its own way.
 */
export function checkRegularFile(path: string): void {
  const st = statSync(path);
  if (!st.isFile()) throw notRegular(path, st);
}

/**
 * Opens a regular file for reading (never blocking on a FIFO); an InputError if it is not one,
 * the errno error if it cannot be opened. The caller closes the descriptor.
 */
export function openRegularFile(path: string): number {
  checkRegularFile(path);
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw notRegular(path, st);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return fd;
}

/** A regular file's whole content (see openRegularFile for what is refused). */
export function readRegularFile(path: string): Buffer;
export function readRegularFile(path: string, encoding: 'utf8'): string;
export function readRegularFile(path: string, encoding?: 'utf8'): Buffer | string {
  const fd = openRegularFile(path);
  try {
    return encoding ? readFileSync(fd, encoding) : readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}
