import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { InputError } from '../shared/errors';
import { loadMatrix } from '../shared/tensor';
import { arrayFromNpyFile, arrayFromValues, type ArraySource } from '../client';
import { UPLOAD_PREFIX } from '../master';

/**
 * `coda run --master --upload`: the job's data files are read here and sent with the job, so
 * the master needs no copy of them (a Kubernetes submitter without a shared volume). `data` is
 * the job's data with its paths resolved here (resolveJobPaths); each file becomes an array named
 * by its key below `data` (data.A -> A, data.test.X -> test.X), and the job text the master gets
 * names it `upload:NAME` instead of the path, comments and all else kept. .npy files stream from
 * disk; .csv files are parsed here first. Other formats (LIBSVM text) are refused: they are no
 * float64 arrays.
 */
export function uploadPlan(jobText: string, data: unknown, workers?: number): { text: string; arrays: ArraySource[] } {
  const doc = parseDocument(jobText);
  const arrays: ArraySource[] = [];
  const walk = (node: unknown, keys: string[]): void => {
    if (typeof node === 'string') {
      const name = keys.join('.');
      const ext = extname(node).toLowerCase();
      if (ext === '.npy') arrays.push(arrayFromNpyFile(name, node));
      else if (ext === '.csv' || ext === '.txt') {
        const m = loadMatrix(node);
        arrays.push(arrayFromValues(name, [m.rows, m.cols], m.data));
      } else {
        throw new InputError(`--upload: data.${name}: only .npy and .csv data can be sent (float64 arrays); convert ${node}, or put it under the master's --data-dir and run without --upload`);
      }
      doc.setIn(['data', ...keys], `${UPLOAD_PREFIX}${name}`);
      return;
    }
    if (node && typeof node === 'object' && !Array.isArray(node)) {
      for (const [k, v] of Object.entries(node)) if (k !== 'synthetic') walk(v, [...keys, k]);
    }
  };
  walk(data, []);
  if (workers !== undefined) doc.set('workers', workers);
  return { text: doc.toString(), arrays };
}
