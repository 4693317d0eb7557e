import { InputError, ShapeError } from '../../shared/errors';
import type { DataSpec } from '../../shared/config';

/** Rows × columns of a data source. */
export interface Shape {
  rows: number;
  cols: number;
}

/** What a job kind's check sees: the cluster size and the data files' shapes (headers only). */
export interface CheckContext {
  /** N: the workers the job will run on. */
  workers: number;
  /** A data file's shape from its header (.npy); undefined for a format only parsing tells (.csv). */
  shape(path: string): Shape | undefined;
}

/**
 * What a job will hold in memory, in float64 values, estimated from shapes before anything is
 * read: resource sanity compares it with the memory the machine has.
 */
export interface Footprint {
  /** At the master: the data and what the algorithm derives from it (padded copies, Gram, references). */
  master: number;
  /** On all the workers together: the stored blocks, replicas included. */
  workers: number;
  /** The data's description for messages ("A 1000000000×40"). */
  what: string;
}

/**
 * A job kind's checks before anything starts: the data shapes, the scheme's parameters against
 * the workers, the kind's own rules; returns the footprint. Throws InputError (exit 2) naming the
 * problem. Nothing is read beyond file headers.
 */
export type KindCheck<J> = (job: J, ctx: CheckContext) => Footprint;

/**
 * The shape of least-squares-style data (A and b, or the seeded generator), b checked against A.
 * Undefined when a file's shape is known only once parsed (CSV): its checks wait for the load.
 */
export function leastSquaresShape(data: DataSpec, ctx: CheckContext): Shape | undefined {
  if (data.synthetic) return { rows: data.synthetic.rows, cols: data.synthetic.cols };
  const A = ctx.shape(data.A!);
  const b = ctx.shape(data.b!);
  if (A && b) {
    if (b.cols !== 1 && b.rows !== 1) throw new ShapeError(`data.b: expected a vector, got a ${b.rows}×${b.cols} matrix`);
    const len = b.cols === 1 ? b.rows : b.cols;
    if (len !== A.rows) throw new ShapeError(`data: A has ${A.rows} rows but b has ${len} values`);
  }
  return A;
}

/** K data blocks need at least one row each. */
export function checkBlocks(what: string, blocks: number, rows: number): void {
  if (blocks > rows) throw new InputError(`${what}: ${blocks} blocks but only ${rows} rows to split among them`);
}
