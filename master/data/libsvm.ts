import { readRegularFile } from '../../shared/fs';
import { InputError } from '../../shared/errors';
import type { Matrix } from '../../shared/tensor';

/**
 * LIBSVM text format ("label idx:value idx:value ...", 1-based increasing indices), the format of
 * the paper's EPSILON data set. Returns dense rows (the solvers here are dense) and labels mapped
 * to ±1: labels already ±1 stay, any other two-class labelling maps its larger label to +1.
 */
export function parseLibsvm(text: string, opts: { features?: number; source?: string } = {}): { X: Matrix; y: Float64Array } {
  const source = opts.source ?? 'libsvm';
  const labels: number[] = [];
  const rows: { idx: number[]; val: number[] }[] = [];
  let maxIdx = 0;
  const lines = text.split('\n');
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln]!.replace(/#.*/, '').trim();
    if (line === '') continue;
    const parts = line.split(/\s+/);
    const label = Number(parts[0]);
    if (!Number.isFinite(label)) throw new InputError(`${source}:${ln + 1}: the label is not a number`);
    const idx: number[] = [];
    const val: number[] = [];
    for (let k = 1; k < parts.length; k++) {
      const p = parts[k]!;
      const colon = p.indexOf(':');
      const i = Number(p.slice(0, colon));
      const v = Number(p.slice(colon + 1));
      if (colon < 1 || !Number.isInteger(i) || i < 1 || !Number.isFinite(v)) throw new InputError(`${source}:${ln + 1}: feature ${k} is not index:value (index ≥ 1)`);
      if (idx.length > 0 && i <= idx[idx.length - 1]!) throw new InputError(`${source}:${ln + 1}: feature indices must increase (${i} after ${idx[idx.length - 1]})`);
      idx.push(i - 1);
      val.push(v);
      if (i > maxIdx) maxIdx = i;
    }
    labels.push(label);
    rows.push({ idx, val });
  }
  if (rows.length === 0) throw new InputError(`${source}: no examples`);
  const d = opts.features ?? maxIdx;
  if (maxIdx > d) throw new InputError(`${source}: feature index ${maxIdx} exceeds features = ${d}`);
  if (d === 0) throw new InputError(`${source}: no features`);
  const data = new Float64Array(rows.length * d);
  rows.forEach((r, i) => r.idx.forEach((j, k) => (data[i * d + j] = r.val[k]!)));
  return { X: { rows: rows.length, cols: d, data }, y: toPlusMinusOne(labels, source) };
}

export function readLibsvm(path: string, features?: number): { X: Matrix; y: Float64Array } {
  let text: string;
  try {
    text = readRegularFile(path, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  return parseLibsvm(text, { source: path, ...(features !== undefined ? { features } : {}) });
}

/** Two-class labels to ±1 (larger label → +1); more than two classes is an error. */
export function toPlusMinusOne(labels: ArrayLike<number>, source: string): Float64Array {
  const classes = [...new Set(Array.from(labels))].sort((a, b) => a - b);
  if (classes.length > 2) throw new InputError(`${source}: logistic regression needs two classes, found ${classes.length} (${classes.slice(0, 5).join(', ')}${classes.length > 5 ? ', ...' : ''})`);
  const hi = classes[classes.length - 1]!;
  const alreadySigned = classes.every((c) => c === 1 || c === -1);
  return Float64Array.from(labels, (l) => (alreadySigned ? l : l === hi && classes.length === 2 ? 1 : -1));
}
