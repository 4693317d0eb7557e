import { existsSync, mkdirSync, realpathSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { InputError } from '../shared/errors';

/** Kernel filesystems: not places for results (Node's recursive mkdir never returns under /proc). */
const PSEUDO_FS = ['/proc', '/sys', '/dev'];

export interface OutputDir {
  dir: string;
  /** A path in the folder for a file the job streams as it runs (moved into place at the end). */
  partial(name: string): string;
  /** After a failed run: removes the folders this created, if nothing else was put in them. */
  abandon(): void;
}

/**
 * The output folder, made ready before anything starts: created (with its parents), tested for
 * writing, and the files a job writes (result.json, ...) checked not to be folders. Refuses with
 * one line and exit 2 a folder under a file, under /proc, or not writable, instead of finding out
 * after the whole job ran.
 */
export function prepareOutputDir(path: string, what = '--out', files: readonly string[] = ['result.json', 'history.jsonl']): OutputDir {
  const dir = resolve(path);
  // The nearest folder that exists: everything below it is ours to create.
  let existing = dir;
  while (!existsSync(existing)) existing = dirname(existing);
  const real = realpathSync(existing);
  if (PSEUDO_FS.some((p) => real === p || real.startsWith(p + sep))) throw new InputError(`${what} ${path}: ${real} is a kernel filesystem, not a place for results`);
  if (!statSync(real).isDirectory()) throw new InputError(`${what} ${path}: ${existing} is a file, not a folder`);
  const created: string[] = [];
  for (let d = dir; d !== existing; d = dirname(d)) created.unshift(d);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new InputError(`${what} ${path}: cannot create it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const abandon = (): void => {
    for (const d of [...created].reverse()) {
      try {
        rmdirSync(d);
      } catch {
        return; // not empty (or gone): leave it and its parents
      }
    }
  };
  const probe = join(dir, `.coda-write-test-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    abandon();
    throw new InputError(`${what} ${path}: not writable (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  for (const f of files) {
    const p = join(dir, f);
    if (existsSync(p) && statSync(p).isDirectory()) {
      abandon();
      throw new InputError(`${what} ${path}: ${f} there is a folder; the job writes a file by that name`);
    }
  }
  return { dir, partial: (name) => join(dir, `.${name}.${process.pid}.partial`), abandon };
}
