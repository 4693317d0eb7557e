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
 * Resolves relative data and output paths against `baseDir` (the current directory for the
 * CLI) and checks that data files exist, naming the key of a missing one.
 */
export function resolveJobPaths(job: JobSpec, baseDir: string, source = 'job'): JobSpec {
  const data = { ...job.data };
  for (const key of ['A', 'b'] as const) {
    const p = data[key];
    if (p === undefined) continue;
    const abs = resolve(baseDir, p);
    if (!existsSync(abs)) throw new InputError(`${source}: data.${key}: file not found: ${p}`);
    data[key] = abs;
  }
  return { ...job, data, out: resolve(baseDir, job.out ?? `out/${job.job}`) };
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
