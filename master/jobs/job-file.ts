import { parseWith, parseYamlMapping, readJobText, resolveJobPaths } from '../../shared/config';
import { InputError } from '../../shared/errors';
import { jobSchema, type JobKind, type JobSpec, type JobSpecOf } from './job-schema';

/** Parses and validates a job from YAML text. Paths stay as written (see resolveJobPaths). */
export function parseJob(text: string, source = 'job'): JobSpec {
  return parseWith(jobSchema, parseYamlMapping(text, source), source);
}

/** Validates a job object (e.g. built in code) against the job union. */
export function jobFrom(raw: unknown, source = 'job'): JobSpec {
  return parseWith(jobSchema, raw, source);
}

/** Validates a job object as one kind (its `job:` key may be left out). */
export function jobOf<K extends JobKind>(kind: K, raw: Record<string, unknown>, source = 'job'): JobSpecOf<K> {
  // The union picks the kind's schema by `job:`, which is `kind`: the parsed job is that kind's.
  return parseWith(jobSchema, { ...raw, job: kind }, source) as JobSpecOf<K>;
}

/** Parses YAML text as a job of one kind (InputError when its `job:` is another). */
export function parseJobOf<K extends JobKind>(kind: K, text: string, source = 'job'): JobSpecOf<K> {
  const raw = parseYamlMapping(text, source);
  if (raw.job !== kind) throw new InputError(`${source}: expected a ${kind} job, got job: ${String(raw.job)}`);
  return jobOf(kind, raw, source);
}

/** Reads, validates and resolves a job file: relative data paths against `baseDir`, each of which must exist. */
export function loadJobFile(path: string, baseDir = process.cwd()): JobSpec {
  return resolveJobPaths(parseJob(readJobText(path), path), baseDir, path);
}
