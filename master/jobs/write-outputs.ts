import { join } from 'node:path';
import { writeFileAtomic, writeNpy } from '../../shared/tensor';
import { moveIntoPlace } from './history-log';
import type { JobOutput } from './types';

/**
 * Writes the text files, the tensors and the streamed history (history.jsonl), then result.json
 * last, each atomically: a reader never sees half a result, and result.json means all is there.
 */
export function writeJobOutputs(outDir: string, out: Pick<JobOutput, 'result' | 'tensors' | 'files' | 'history'>): string[] {
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
    moveIntoPlace(out.history.path, p);
    written.push(p);
  }
  const resultPath = join(outDir, 'result.json');
  writeFileAtomic(resultPath, JSON.stringify(out.result, null, 2) + '\n');
  written.push(resultPath);
  return written;
}
