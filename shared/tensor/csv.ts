import { readRegularFile } from '../fs';
import { InputError } from '../errors';
import type { Matrix } from './matrix';

/**
 * A numeric CSV: one row per line, comma (or whitespace) separated; blank lines and lines
 * starting with '#' skipped; a first line that is not numeric is taken as a header.
 */
export function parseCsv(text: string, source = 'csv'): Matrix {
  const rows: number[][] = [];
  const lines = text.split(/\r?\n/);
  let cols = -1;
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const cells = line.split(/\s*,\s*|\s+/);
    const values = cells.map(Number);
    if (values.some((v, i) => Number.isNaN(v) && cells[i]!.toLowerCase() !== 'nan')) {
      if (rows.length === 0 && cols === -1) {
        cols = cells.length; // header
        continue;
      }
      // Where, not what: a master's messages go back to whoever submitted the job, and must not
      // quote a file's contents.
      const col = cells.findIndex((c) => Number.isNaN(Number(c)) && c.toLowerCase() !== 'nan');
      throw new InputError(`${source}:${ln + 1}: column ${col + 1} is not a number`);
    }
    if (cols !== -1 && values.length !== cols) {
      throw new InputError(`${source}:${ln + 1}: expected ${cols} values, got ${values.length}`);
    }
    cols = values.length;
    rows.push(values);
  }
  if (rows.length === 0) throw new InputError(`${source}: no numeric rows`);
  const data = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => data.set(r, i * cols));
  return { rows: rows.length, cols, data };
}

export function readCsv(path: string): Matrix {
  let text: string;
  try {
    text = readRegularFile(path, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseCsv(text, path);
}
