/**
 * The d-dimensional product code of Baharav, Lee, Ocal and Ramchandran (ISIT 2018), with one
 * parity per dimension: the K = k₁·…·k_D data blocks sit on a k₁×…×k_D grid, extended to
 * (k₁+1)×…×(k_D+1) cells; coordinate k_t along dimension t is that dimension's parity, the sum of
 * the line's k_t data cells (the paper's Fig. 2: A₁, A₂, A₁ + A₂). A cell is a stored block: the
 * sum of the data blocks in the product of its coordinate sets ({v_t} for v_t < k_t, all of
 * [0, k_t) at the parity), so every line of every dimension, parity cells' lines included, sums to
 * its parity cell. The code is linear, so a worker's matrix-vector product with a cell is the same
 * sum of the data blocks' products.
 *
 * Decoding is peeling: a line with exactly one unknown cell gives it (its parity minus the others,
 * or the sum of the others when the unknown is the parity); repeat until nothing moves. The round is
 * enough once every data (systematic) cell is known. Any 2^D − 1 erasures are always peeled (the
 * smallest stopping set is the 2^D corners of a subgrid); in 2-D peeling decodes exactly the
 * patterns the code can decode at all (every cycle of erased cells holds a data cell), which the
 * unit tests check against a rank test over every pattern of small grids. Pure: no I/O.
 */
export interface ProductGrid {
  /** k_t: data blocks along each dimension. */
  readonly shape: readonly number[];
  /** k_t + 1: cells along each dimension. */
  readonly size: readonly number[];
  /** Π (k_t + 1): the slots. */
  readonly cells: number;
  /** Π k_t: the data blocks. */
  readonly dataBlocks: number;
  /** Cells of each line (every cell of it, the parity last). */
  readonly lines: readonly Int32Array[];
  /** Lines through each cell (one per dimension). */
  readonly linesOfCell: readonly Int32Array[];
  /** Data block of a cell (row-major over the k_t), or −1 for a parity cell. */
  readonly dataOfCell: Int32Array;
  /** The cell holding data block j. */
  readonly cellOfData: Int32Array;
}

/** A cell's coordinates (row-major over the sizes: the last dimension varies fastest). */
export function cellCoords(size: readonly number[], cell: number): number[] {
  const out = new Array<number>(size.length);
  for (let t = size.length - 1; t >= 0; t--) {
    out[t] = cell % size[t]!;
    cell = Math.floor(cell / size[t]!);
  }
  return out;
}

function cellIndex(size: readonly number[], coords: readonly number[]): number {
  let c = 0;
  for (let t = 0; t < size.length; t++) c = c * size[t]! + coords[t]!;
  return c;
}

export function productGrid(shape: readonly number[]): ProductGrid {
  if (shape.length < 1 || shape.some((k) => !Number.isInteger(k) || k < 1)) throw new RangeError(`product code: a grid of positive integers, got [${shape.join(', ')}]`);
  const D = shape.length;
  const size = shape.map((k) => k + 1);
  const cells = size.reduce((a, b) => a * b, 1);
  const dataBlocks = shape.reduce((a, b) => a * b, 1);
  const dataOfCell = new Int32Array(cells).fill(-1);
  const cellOfData = new Int32Array(dataBlocks);
  for (let c = 0; c < cells; c++) {
    const v = cellCoords(size, c);
    if (v.every((x, t) => x < shape[t]!)) {
      let j = 0;
      for (let t = 0; t < D; t++) j = j * shape[t]! + v[t]!;
      dataOfCell[c] = j;
      cellOfData[j] = c;
    }
  }
  const lines: Int32Array[] = [];
  const through: number[][] = Array.from({ length: cells }, () => []);
  for (let t = 0; t < D; t++) {
    // A line along t: every cell with the other coordinates fixed; the start cells have v_t = 0.
    for (let c = 0; c < cells; c++) {
      const v = cellCoords(size, c);
      if (v[t] !== 0) continue;
      const line = new Int32Array(size[t]!);
      for (let x = 0; x < size[t]!; x++) {
        v[t] = x;
        line[x] = cellIndex(size, v);
      }
      for (const cell of line) through[cell]!.push(lines.length);
      lines.push(line);
    }
  }
  return { shape: [...shape], size, cells, dataBlocks, lines, linesOfCell: through.map((l) => Int32Array.from(l)), dataOfCell, cellOfData };
}

/** The data blocks a cell sums (its stored block's terms, coefficient 1 each), in data-block order. */
export function cellTerms(grid: ProductGrid, cell: number): number[] {
  const v = cellCoords(grid.size, cell);
  let out = [0];
  for (let t = 0; t < grid.shape.length; t++) {
    const k = grid.shape[t]!;
    const xs = v[t]! < k ? [v[t]!] : Array.from({ length: k }, (_, i) => i);
    out = out.flatMap((j) => xs.map((x) => j * k + x));
  }
  return out;
}

/** One peeling step: `cell` recovered from `line` (every other cell of the line known). */
export interface PeelStep {
  cell: number;
  line: number;
}

/**
 * Peeling on which cells are known, incrementally: add a cell as it arrives, and every cell a
 * line with one unknown then gives is recovered too (steps, in order). Symbolic: values are
 * computed once, at decode, by replaying the steps.
 */
export class Peeler {
  private readonly unknownIn: Int32Array;
  readonly known: Uint8Array;
  readonly steps: PeelStep[] = [];
  /** Data cells known (arrived or recovered). */
  dataKnown = 0;

  constructor(readonly grid: ProductGrid) {
    this.unknownIn = Int32Array.from(grid.lines, (l) => l.length);
    this.known = new Uint8Array(grid.cells);
  }

  /** True once every data cell is known. */
  get complete(): boolean {
    return this.dataKnown === this.grid.dataBlocks;
  }

  /** A cell's value arrived (false: it was known already, arrived or peeled). */
  add(cell: number): boolean {
    if (this.known[cell]) return false;
    const queue: number[] = [];
    this.markKnown(cell, queue);
    while (queue.length > 0) {
      const line = queue.pop()!;
      if (this.unknownIn[line] !== 1) continue;
      const cells = this.grid.lines[line]!;
      let missing = -1;
      for (const c of cells) if (!this.known[c]) missing = c;
      this.steps.push({ cell: missing, line });
      this.markKnown(missing, queue);
    }
    return true;
  }

  private markKnown(cell: number, queue: number[]): void {
    this.known[cell] = 1;
    if (this.grid.dataOfCell[cell]! >= 0) this.dataKnown++;
    for (const line of this.grid.linesOfCell[cell]!) {
      if (--this.unknownIn[line]! === 1) queue.push(line);
    }
  }
}

/** Whether peeling recovers every data cell from the cells in `arrived`. */
export function peels(grid: ProductGrid, arrived: Iterable<number>): boolean {
  const p = new Peeler(grid);
  for (const c of arrived) p.add(c);
  return p.complete;
}

/**
 * Replays peeling steps on values: `values[c]` is cell c's answer (arrived) or undefined; each step
 * fills its cell from its line. Returns the data blocks' values stacked in data-block order (each
 * data cell's value is written, or recovered, straight into its place: no copy at the end).
 */
export function replayPeeling(grid: ProductGrid, arrived: readonly (Float64Array | undefined)[], steps: readonly PeelStep[], length: number): Float64Array {
  const stacked = new Float64Array(grid.dataBlocks * length);
  const values = [...arrived];
  const place = (cell: number): Float64Array | undefined => {
    const j = grid.dataOfCell[cell]!;
    return j >= 0 ? stacked.subarray(j * length, (j + 1) * length) : undefined;
  };
  const recovered = new Set(steps.map((s) => s.cell));
  grid.cellOfData.forEach((c) => {
    const v = values[c];
    if (v && !recovered.has(c)) {
      const at = place(c)!;
      at.set(v);
      values[c] = at;
    }
  });
  for (const { cell, line } of steps) {
    const cells = grid.lines[line]!;
    const parity = cells[cells.length - 1]!;
    const out = place(cell) ?? new Float64Array(length);
    if (cell === parity) {
      // The parity is the sum of the line's data cells.
      for (let i = 0; i < cells.length - 1; i++) addInto(out, values[cells[i]!]!, 1);
    } else {
      // A data cell of the line is its parity minus the others.
      addInto(out, values[parity]!, 1);
      for (let i = 0; i < cells.length - 1; i++) if (cells[i] !== cell) addInto(out, values[cells[i]!]!, -1);
    }
    values[cell] = out;
  }
  grid.cellOfData.forEach((c) => {
    if (!values[c]) throw new Error(`product code: data cell ${c} is neither arrived nor recovered`);
  });
  return stacked;
}

function addInto(out: Float64Array, v: Float64Array, s: number): void {
  if (v.length !== out.length) throw new Error(`product code: a cell of ${v.length} values, expected ${out.length}`);
  for (let i = 0; i < out.length; i++) out[i]! += s * v[i]!;
}

/**
 * The default grid for N workers in D dimensions: the most data blocks whose Π (k_t + 1) cells
 * fit on N workers, sides as equal as possible (60 workers, 2-D: 6×7 data on 7×8 = 56 cells).
 * Fewer than 2^D workers get fewer dimensions (3 workers: one line, 2 data blocks and their sum).
 */
export function defaultGrid(workers: number, dims: number): number[] {
  while (dims > 1 && 2 ** dims > workers) dims--;
  if (dims === 1) return [Math.max(1, workers - 1)];
  const side = Math.max(2, Math.floor(workers ** (1 / dims) + 1e-9));
  const sizes = new Array<number>(dims).fill(side);
  const cells = (s: number[]) => s.reduce((a, b) => a * b, 1);
  while (cells(sizes) > workers && sizes.some((s) => s > 2)) sizes[sizes.indexOf(Math.max(...sizes))]!--;
  // Grow the smallest side while it still fits.
  for (;;) {
    const t = sizes.indexOf(Math.min(...sizes));
    sizes[t]!++;
    if (cells(sizes) > workers) {
      sizes[t]!--;
      break;
    }
  }
  return sizes.map((s) => s - 1).sort((a, b) => a - b);
}
