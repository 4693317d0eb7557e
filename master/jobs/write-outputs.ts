import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeNpy } from '../../shared/tensor';
import { copyIntoPlace, moveIntoPlace } from './history-log';
import type { JobOutput } from './types';

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

/**
 * Writes the text files, the tensors and the streamed history (history.jsonl), then result.json
 * last, each atomically: a reader never sees half a result, and result.json means all is there.
 */
export function writeJobOutputs(outDir: string, out: Pick<JobOutput, 'result' | 'tensors' | 'files' | 'history'>, opts: { keepHistory?: boolean } = {}): string[] {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of Object.entries(out.files ?? {})) {
    const p = join(outDir, name);
    writeFileAtomic(p, text);
    written.push(p);
  }
  for (const [name, t] of Object.entries(out.tensors)) {
    const p = join(outDir, name);
    writeNpy(p, t.shape, t.values);
    written.push(p);
  }
  if (out.history) {
    const p = join(outDir, 'history.jsonl');
    if (opts.keepHistory) copyIntoPlace(out.history.path, p);
    else moveIntoPlace(out.history.path, p);
    written.push(p);
  }
  const resultPath = join(outDir, 'result.json');
  writeFileAtomic(resultPath, formatResultJson(out.result) + '\n');
  written.push(resultPath);
  return written;
}
