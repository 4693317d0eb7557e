import { join } from 'node:path';
import { writeFileAtomic, writeNpy } from '../../shared/tensor';
import type { JobOutput } from './types';

/** Writes the tensors, then result.json last, each atomically: a reader never sees half a result. */
export function writeJobOutputs(outDir: string, out: Pick<JobOutput, 'result' | 'tensors' | 'files'>): string[] {
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
  const resultPath = join(outDir, 'result.json');
  writeFileAtomic(resultPath, JSON.stringify(out.result, null, 2) + '\n');
  written.push(resultPath);
  return written;
}
