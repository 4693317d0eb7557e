import { realpathSync } from 'node:fs';
import { relative, resolve, isAbsolute } from 'node:path';
import { PermissionError } from '../../shared/errors';

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The master's data root (--data-dir): a submitted job may name data files only below it. The
 * check runs on each resolved path before the file is touched: first the path as written, then
 * where it really leads (a symlink out of the root is refused too); realpath follows links
 * without reading the file, so a refused file is never read. A path that does not exist is left
 * for the caller to report as missing.
 */
export function dataRootCheck(root: string): (abs: string, key: string) => void {
  const given = resolve(root);
  let real: string;
  try {
    real = realpathSync(given);
  } catch (e) {
    throw new PermissionError(`--data-dir ${root}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return (abs, key) => {
    const refuse = (how: string): never => {
      throw new PermissionError(`submitted job: ${key}: ${abs} ${how} the master's data folder (--data-dir ${given}); put the data there, or send it with the job (coda run --upload, the Python client)`);
    };
    if (!inside(given, abs) && !inside(real, abs)) refuse('is outside');
    let target: string;
    try {
      target = realpathSync(abs);
    } catch {
      return;
    }
    if (!inside(real, target)) refuse('leads (through a link) outside');
  };
}
