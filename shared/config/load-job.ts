import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { ZodError } from 'zod';
import { InputError } from '../errors';
import { jobSchema, type JobSpec } from './job-schema';

/** "data.synthetic.rows: Expected number, received string" for each issue, one per line. */
export function formatZodError(err: ZodError, source: string): string {
  const lines = err.issues.map((i) => {
    const path = i.path.length ? i.path.join('.') : '(top level)';
    let msg = i.message;
    if (i.code === 'unrecognized_keys') msg = `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${k}'`).join(', ')}`;
    return `  ${path}: ${msg}`;
  });
  return `${source}: invalid job file\n${lines.join('\n')}`;
}

/** Parses and validates a job from YAML text. Paths stay as written (see resolveJobPaths). */
export function parseJob(text: string, source = 'job'): JobSpec {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new InputError(`${source}: not valid YAML: ${doc.errors[0]!.message}`);
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(`${source}: a job file must be a YAML mapping (job: ..., data: ..., ...)`);
  }
  const parsed = jobSchema.safeParse(raw);
  if (!parsed.success) throw new InputError(formatZodError(parsed.error, source));
  return parsed.data;
}

/**
 * Resolves relative paths against `baseDir` (the current directory for the CLI): every string
 * under `data` (except inside `synthetic`, which is generator settings) is a file path and must
 * exist; a missing one is named by its key.
 */
export function resolveJobPaths<J extends JobSpec>(job: J, baseDir: string, source = 'job'): J {
  const walk = (node: unknown, path: string): unknown => {
    if (typeof node === 'string') {
      const abs = resolve(baseDir, node);
      if (!existsSync(abs)) throw new InputError(`${source}: ${path}: file not found: ${node}`);
      return abs;
    }
    if (node && typeof node === 'object' && !Array.isArray(node)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = k === 'synthetic' ? v : walk(v, `${path}.${k}`);
      return out;
    }
    return node;
  };
  return { ...job, data: walk(job.data, 'data') as J['data'], out: resolve(baseDir, job.out ?? `out/${job.job}`) };
}

export function loadJobFile(path: string, baseDir = process.cwd()): JobSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read job file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return resolveJobPaths(parseJob(text, path), baseDir, path);
}
