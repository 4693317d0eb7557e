/**
 * File-system checks every role shares.
 *
 *   const text = readRegularFile(path, 'utf8');   // InputError for a FIFO, socket, device, folder
 *   const fd = openRegularFile(path);             // the same, as a descriptor (caller closes it)
 */
export { checkRegularFile, openRegularFile, readRegularFile } from './regular-file';
