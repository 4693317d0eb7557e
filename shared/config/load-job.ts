import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { ZodError, ZodType, ZodTypeDef } from 'zod';
import { InputError } from '../errors';
import { checkRegularFile, readRegularFile } from '../fs';

/**
 * The job-file loader, generic over the schema: shared/config knows the pieces every job kind
 * shares; the union of the kinds is assembled where the kinds live (master/jobs), which passes
 * it in here.
 */

/** "data.synthetic.rows: Expected number, received string" for each issue, one per line. */
export function formatZodError(err: ZodError, source: string, what = 'invalid job file'): string {
  const lines = err.issues.map((i) => {
    const path = i.path.length ? i.path.join('.') : '(top level)';
    let msg = i.message;
    if (i.code === 'unrecognized_keys') msg = `unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${k}'`).join(', ')}`;
    return `${path}: ${msg}`;
  });
  // One problem, one line; several, one line each under the file's name.
  if (lines.length === 1) return `${source}: ${lines[0]}`;
  return `${source}: ${what}\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

/**
 * How many alias nodes a document may expand (the yaml library's own default, stated here): a
 * job file needs a handful; an "alias bomb" (aliases of aliases, billions of nodes from a few
 * lines) needs more and is refused before it is expanded.
 */
export const YAML_MAX_ALIAS_COUNT = 100;

/** The first line of a message (the parser's code frame under it is left out: one line). */
const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0]!;

/**
 * YAML text -> plain values. Whatever the yaml library refuses (broken syntax, a duplicate key,
 * an alias bomb it stops in toJS) is an InputError naming `source`, never an internal error.
 */
export function parseYaml(text: string, source: string): unknown {
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    throw new InputError(`${source}: not valid YAML: ${firstLine(e)}`, { cause: e });
  }
  if (doc.errors.length > 0) throw new InputError(`${source}: not valid YAML: ${firstLine(doc.errors[0])}`);
  try {
    return doc.toJS({ maxAliasCount: YAML_MAX_ALIAS_COUNT });
  } catch (e) {
    const aliases = /alias/i.test(firstLine(e));
    throw new InputError(
      aliases ? `${source}: refused: its YAML aliases expand to more than ${YAML_MAX_ALIAS_COUNT} nodes (${firstLine(e)})` : `${source}: not valid YAML: ${firstLine(e)}`,
      { cause: e },
    );
  }
}

/** YAML text -> a plain mapping (InputError for broken YAML or a non-mapping). */
export function parseYamlMapping(text: string, source: string, what = 'a job file must be a YAML mapping (job: ..., data: ..., ...)'): Record<string, unknown> {
  const raw = parseYaml(text, source);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(`${source}: ${what}`);
  return raw as Record<string, unknown>;
}

/** Validates `raw` against `schema`; every issue named by its key path. */
export function parseWith<T>(schema: ZodType<T, ZodTypeDef, unknown>, raw: unknown, source: string): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new InputError(formatZodError(parsed.error, source));
  return parsed.data;
}

/** The fields of a job the path resolution touches. */
interface WithData {
  job: string;
  data: unknown;
  out?: string | undefined;
  /** A replayed delay trace's file (`chaos.delay: { dist: trace, file }`) is a path too. */
  chaos?: { delay?: { dist: string; file?: string | undefined } } | undefined;
}

/**
 * Resolves relative paths against `baseDir` (the current directory for the CLI): every string
 * under `data` (except inside `synthetic`, which is generator settings) is a file path and must
 * exist and be a regular file (a FIFO or a device would hang the reader); a bad one is named by
 * its key. `check` sees each absolute path first (a master's data root refuses paths outside it
 * before anything is read or even stat'ed).
 */
export function resolveJobPaths<J extends WithData>(job: J, baseDir: string, source = 'job', check?: (abs: string, key: string) => void): J {
  const file = (node: string, path: string): string => {
    const abs = resolve(baseDir, node);
    check?.(abs, path);
    if (!existsSync(abs)) throw new InputError(`${source}: ${path}: file not found: ${node}`);
    try {
      checkRegularFile(abs);
    } catch (e) {
      throw new InputError(`${source}: ${path}: ${e instanceof InputError ? e.message : `cannot read ${node}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`}`);
    }
    return abs;
  };
  const walk = (node: unknown, path: string): unknown => {
    if (typeof node === 'string') return file(node, path);
    if (node && typeof node === 'object' && !Array.isArray(node)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = k === 'synthetic' ? v : walk(v, `${path}.${k}`);
      return out;
    }
    return node;
  };
  const delay = job.chaos?.delay;
  const chaos = delay?.dist === 'trace' && delay.file ? { chaos: { ...job.chaos, delay: { ...delay, file: file(delay.file, 'chaos.delay.file') } } } : {};
  return { ...job, data: walk(job.data, 'data') as J['data'], ...chaos, out: resolve(baseDir, job.out ?? `out/${job.job}`) };
}

/** A job file's text (InputError naming the file when it cannot be read). */
export function readJobText(path: string): string {
  try {
    return readRegularFile(path, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`job file ${e.message}`);
    throw new InputError(`cannot read job file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
