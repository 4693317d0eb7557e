/**
 * File-system helpers every role shares: checks before reading, and files written so a reader
 * (or a restarted process) never sees half of one.
 *
 *   const text = readRegularFile(path, 'utf8');   // InputError for a FIFO, socket, device, folder
 *   const fd = openRegularFile(path);             // the same, as a descriptor (caller closes it)
 *   writeFileAtomic('out/result.json', text);     // temp beside, fsync, rename, fsync the folder
 *   moveFileAtomic(partial, 'out/history.jsonl');
 */
export { checkRegularFile, openRegularFile, readRegularFile } from './regular-file';
export { writeFileAtomic, copyFileAtomic, moveFileAtomic } from './atomic-file';
