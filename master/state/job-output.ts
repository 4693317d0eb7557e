import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { copyFileAtomic, moveFileAtomic, writeFileAtomic } from '../../shared/fs';
import { writeNpy } from '../../shared/tensor';

/** A tensor to save as .npy beside result.json. */
export interface OutputTensor {
  shape: number[];
  values: Float64Array;
}

/** What a job produces: result.json's object (typed per job kind) and the tensors to save (file name -> shape + values). */
export interface JobOutput<R = unknown> {
  result: R;
  tensors: Record<string, OutputTensor>;
  /** One line for a terminal. */
  summary: string;
  /** Extra text files to write beside result.json (e.g. a model description), by file name. */
  files?: Record<string, string>;
  /** The per-round history the job streamed (RunContext.historyPath), written in full: moved to history.jsonl. */
  history?: { path: string; rounds: number };
}

/**
 * result.json's text: objects indented for reading, arrays of numbers on one line and arrays of
 * records one record a line (a history of 2000 rounds stays 2000 lines, half the bytes of full
 * indentation).
 */
export function formatResultJson(value: unknown, indent = ''): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return JSON.stringify(value);
    return value.length === 0 ? '[]' : `[\n${value.map((v) => inner + JSON.stringify(v)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatResultJson(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** An output's file name as a plain name in the output folder (nothing that climbs out of it). */
function plainName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`output name '${name}' is not a plain file name`);
  return name;
}

/**
 * The one result writer (`coda run --out`, `coda master --job`, the master's state folder): the
 * text files, the tensors (.npy) and the streamed history (history.jsonl: moved, or copied with
 * keepHistory), then result.json last, each atomically and durably (shared/fs): a reader never sees
 * half a result, and result.json means all is there. Returns the paths written.
 */
export function writeJobOutputs(outDir: string, out: Pick<JobOutput, 'result' | 'tensors' | 'files' | 'history'>, opts: { keepHistory?: boolean } = {}): string[] {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of Object.entries(out.files ?? {})) {
    const p = join(outDir, plainName(name));
    writeFileAtomic(p, text);
    written.push(p);
  }
  for (const [name, t] of Object.entries(out.tensors)) {
    const p = join(outDir, plainName(name));
    writeNpy(p, t.shape, t.values);
    written.push(p);
  }
  if (out.history) {
    const p = join(outDir, 'history.jsonl');
    if (opts.keepHistory) copyFileAtomic(out.history.path, p);
    else moveFileAtomic(out.history.path, p);
    written.push(p);
  }
  const resultPath = join(outDir, 'result.json');
  writeFileAtomic(resultPath, formatResultJson(out.result) + '\n');
  written.push(resultPath);
  return written;
}
