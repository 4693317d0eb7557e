import { readRegularFile } from '../fs';
import { InputError } from '../errors';
import type { Rng } from '../random';
import type { DelaySampler } from './sampler';

/**
 * Replayed delay traces: measured task times (seconds, for one unit of work: one uncoded block at
 * K = N) read from a CSV and replayed in order or resampled with the job's seed, scaled by an
 * optional factor.
 *
 *   # comment lines (provenance) start with '#'
 *   worker0,worker1,worker2        <- optional header: every cell a name
 *   0.0213,0.0198,0.0311           <- one row per round, one column per worker
 *
 * or a single column that every worker samples. A worker w uses column w mod C; when several
 * workers share a column, the k-th of them replays it from k/(sharers) of the way through, so they
 * do not move in lockstep (a trace replayed identically on every worker has no stragglers).
 *
 * Strict: an empty cell, a blank line inside the data, a non-numeric or negative or infinite
 * value, or a row with the wrong number of cells is an InputError naming the file, the line and
 * the column; nothing is guessed.
 */
export interface DelayTrace {
  /** Where it came from, for messages. */
  source: string;
  /** Column names (the header's, or column0..). */
  columns: string[];
  /** Each column's times in file order (seconds). */
  values: Float64Array[];
}

export type TraceMode = 'replay' | 'resample';

export interface TraceOptions {
  /** `replay` (default): in file order, wrapping around; `resample`: i.i.d. draws with the rng. */
  mode?: TraceMode;
  /** Multiplies every time. Default 1. */
  scale?: number;
}

function isNumber(cell: string): boolean {
  return cell !== '' && Number.isFinite(Number(cell));
}

export function parseDelayTrace(text: string, source = 'trace'): DelayTrace {
  const lines = text.split(/\r?\n/);
  // Trailing blank lines are the file's end, not empty rows.
  let last = lines.length;
  while (last > 0 && lines[last - 1]!.trim() === '') last--;
  let columns: string[] | undefined;
  let cols: number[][] = [];
  const where = (line: number, c?: number): string =>
    `${source} line ${line}${c !== undefined ? `, column ${c + 1}${columns?.[c] !== undefined ? ` (${columns[c]})` : ''}` : ''}`;
  for (let i = 0; i < last; i++) {
    const raw = lines[i]!;
    const line = i + 1;
    if (raw.trimStart().startsWith('#')) continue;
    if (raw.trim() === '') throw new InputError(`${where(line)}: empty line inside the data`);
    const cells = raw.split(',').map((c) => c.trim());
    if (columns === undefined) {
      if (cells.every((c) => c !== '' && !isNumber(c))) {
        if (new Set(cells).size !== cells.length) throw new InputError(`${where(line)}: header repeats a column name`);
        columns = cells;
        cols = cells.map(() => []);
        continue;
      }
      columns = cells.map((_, c) => `column${c}`);
      cols = cells.map(() => []);
    }
    if (cells.length !== columns.length) {
      throw new InputError(`${where(line)}: ${cells.length} cells, expected ${columns.length} (${columns.join(', ')})`);
    }
    cells.forEach((cell, c) => {
      if (cell === '') throw new InputError(`${where(line, c)}: empty cell`);
      const v = Number(cell);
      if (!Number.isFinite(v)) throw new InputError(`${where(line, c)}: not a finite number: ${JSON.stringify(cell)}`);
      if (v < 0) throw new InputError(`${where(line, c)}: negative time ${cell}`);
      cols[c]!.push(v);
    });
  }
  if (columns === undefined || cols[0]!.length === 0) throw new InputError(`${source}: no task times (one row per round, one column per worker or a single column)`);
  return { source, columns, values: cols.map((c) => Float64Array.from(c)) };
}

/** Reads and parses a trace file; a missing or unreadable file is an InputError naming it. */
export function readDelayTrace(path: string): DelayTrace {
  let text: string;
  try {
    text = readRegularFile(path, 'utf8');
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`delay trace ${e.message}`);
    throw new InputError(`delay trace ${path}: cannot read it (${(e as Error).message})`, { cause: e });
  }
  return parseDelayTrace(text, path);
}

export function validateTraceOptions(opts: TraceOptions): void {
  const scale = opts.scale ?? 1;
  if (!(Number.isFinite(scale) && scale > 0)) throw new InputError(`chaos.delay.scale must be a positive number, got ${scale}`);
  if (opts.mode !== undefined && opts.mode !== 'replay' && opts.mode !== 'resample') {
    throw new InputError(`chaos.delay.mode must be 'replay' or 'resample', got ${JSON.stringify(opts.mode)}`);
  }
}

/**
 * One worker's share of a trace, as the master sends it: its column's values and where its
 * replay starts. A worker samples only this (it never needs the file).
 */
export interface TraceStream {
  values: Float64Array;
  /** Index of the first value replayed (wrapping around). */
  start: number;
}

/**
 * Rows a trace may have: each worker gets its column in one Configure message (8 bytes a value,
 * within the 8 MiB a master sends in one message).
 */
export const MAX_TRACE_ROWS = 500_000;

/**
 * Worker `worker`'s stream (of `workers`): column worker mod C, and when several workers share a
 * column, the k-th of them starts k/(sharers) of the way through it.
 */
export function traceStreamFor(trace: DelayTrace, worker: number, workers: number): TraceStream {
  if (!(Number.isInteger(worker) && worker >= 0 && worker < workers)) throw new RangeError(`trace stream: worker ${worker} of ${workers}`);
  const C = trace.columns.length;
  const values = trace.values[worker % C]!;
  if (values.length > MAX_TRACE_ROWS) {
    throw new InputError(`${trace.source}: ${values.length} rows; a delay trace may have at most ${MAX_TRACE_ROWS} (each worker gets its column in one message)`);
  }
  const sharers = Math.ceil((workers - (worker % C)) / C);
  const k = Math.floor(worker / C);
  return { values, start: Math.floor((k * values.length) / sharers) };
}

export function validateTraceStream(stream: TraceStream): void {
  const { values, start } = stream;
  if (values.length === 0) throw new InputError('chaos.delay: the trace stream is empty');
  if (values.length > MAX_TRACE_ROWS) throw new InputError(`chaos.delay: a trace stream of ${values.length} values; at most ${MAX_TRACE_ROWS}`);
  if (!(Number.isInteger(start) && start >= 0)) throw new InputError(`chaos.delay: trace start must be a non-negative integer, got ${start}`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(Number.isFinite(v) && v >= 0)) throw new InputError(`chaos.delay: trace value ${i} is ${v}, not a finite time ≥ 0`);
  }
}

/** A sampler over one worker's stream: in order from `start` (wrapping), or resampled with `rng`. */
export function makeStreamSampler(stream: TraceStream, rng: Rng, opts: TraceOptions = {}): DelaySampler {
  validateTraceOptions(opts);
  validateTraceStream(stream);
  const { values } = stream;
  const scale = opts.scale ?? 1;
  if ((opts.mode ?? 'replay') === 'resample') return () => scale * values[rng.int(values.length)]!;
  let i = stream.start % values.length;
  return () => {
    const v = values[i]!;
    i = (i + 1) % values.length;
    return scale * v;
  };
}

/**
 * Worker `worker`'s sampler (of `workers`): its column, its replay offset, the scale. `rng` is
 * used by `resample` only; give each worker its own (e.g. forked from the job's seed by index).
 */
export function makeTraceSampler(trace: DelayTrace, worker: number, workers: number, rng: Rng, opts: TraceOptions = {}): DelaySampler {
  validateTraceOptions(opts);
  return makeStreamSampler(traceStreamFor(trace, worker, workers), rng, opts);
}
