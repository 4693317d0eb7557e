import { z } from 'zod';
import { InputError } from '../../shared/errors';
import { intAtLeast } from './params';
import { cellTerms, defaultGrid, Peeler, productGrid, replayPeeling, type ProductGrid } from './product-grid';
import type { Decoded, Plan, PlanContext, RoundDecoder, Scheme } from './types';

export const productCodeParams = z
  .object({
    /** Data blocks along each dimension (k₁, …, k_D); default: the largest grid of `dims` dimensions whose cells fit on the workers. */
    grid: z.array(intAtLeast(1)).min(1, { message: 'must list at least one dimension' }).max(8, { message: 'must have at most 8 dimensions' }).optional(),
    /** D when `grid` is not given (2: the paper's). */
    dims: intAtLeast(1).max(8, { message: 'must be at most 8' }).default(2),
  })
  .strict();
export type ProductCodeParams = z.infer<typeof productCodeParams>;

function gridOf(p: ProductCodeParams, workers: number): number[] {
  return p.grid ?? defaultGrid(workers, p.dims);
}

const product = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/**
 * The product code of OverSketched Newton's ref. [20] (Baharav, Lee, Ocal, Ramchandran, ISIT 2018)
 * for coded matrix-vector products: K = Π k_t equal row blocks on a grid, one parity (the sum) per
 * line of every dimension, one slot per cell (product-grid.ts). A round is enough once peeling
 * recovers every data block; it decodes to the stack [A₁x; …; A_Kx] as mds does, by additions only
 * (no system to solve, so no conditioning to verify: it scales to any number of workers). Any
 * 2^D − 1 stragglers are survived, and most larger patterns (tests: every pattern of small grids,
 * sampled on 8×8 and up). Decodes matvec only.
 */
export const productCode: Scheme<ProductCodeParams> = {
  name: 'product-code',
  summary: 'data blocks on a grid with a parity (sum) per row and column (d-D); exact once peeling recovers every block (matvec)',
  taskKinds: ['matvec'],
  params: productCodeParams,
  gradient: 'coded',
  approximate: false,
  stores: 'coded',
  multiBlockSlots: false,
  defaultBlocks(workers, p) {
    return product(gridOf(p, workers));
  },
  check(p, { workers, blocks }) {
    const grid = gridOf(p, workers);
    if (product(grid) !== blocks) throw new InputError(`scheme product-code: the grid ${grid.join('×')} holds ${product(grid)} data blocks but the job has ${blocks}`);
    // More cells than workers wrap around (as mds's slots do): a worker then holds several cells,
    // and a straggler erases all of them.
  },
  plan(ctx: PlanContext<ProductCodeParams>): Plan {
    this.check!(ctx.params, { workers: ctx.workers, blocks: ctx.blocks });
    const grid = productGrid(gridOf(ctx.params, ctx.workers));
    const tau = ctx.blockRows[0]!;
    if (ctx.blockRows.some((r) => r !== tau)) {
      throw new InputError(`scheme product-code: blocks must have equal row counts (got ${[...new Set(ctx.blockRows)].join(', ')}); make the rows a multiple of ${grid.dataBlocks}`);
    }
    const stored = Array.from({ length: grid.cells }, (_, c) => ({ terms: cellTerms(grid, c).map((block) => ({ block, coef: 1 })) }));
    const slots = stored.map((_, c) => ({ host: c % ctx.workers, blocks: [{ stored: c, weight: 1 }] }));
    const D = grid.shape.length;
    return {
      scheme: 'product-code',
      stored,
      slots,
      taskKinds: ['matvec'],
      decoder: () => new ProductCodeDecoder(grid, tau),
      describe: () => ({
        grid: [...grid.shape],
        dims: D,
        cells: grid.cells,
        dataBlocks: grid.dataBlocks,
        parities: grid.cells - grid.dataBlocks,
        survivesAny: 2 ** D - 1,
        cellsPerWorker: Math.ceil(grid.cells / ctx.workers),
        decode: 'peeling',
        blockRows: tau,
      }),
    };
  },
};

/** Enough once peeling recovers every data cell; decodes by replaying the peeling on the answers. */
export class ProductCodeDecoder implements RoundDecoder {
  private readonly peeler: Peeler;
  private readonly values: (Float64Array | undefined)[];
  private readonly arrived: number[] = [];

  constructor(
    private readonly grid: ProductGrid,
    private readonly tau: number,
  ) {
    this.peeler = new Peeler(grid);
    this.values = new Array(grid.cells);
  }

  add(slot: number, value: Float64Array): boolean {
    if (!(slot >= 0 && slot < this.grid.cells)) throw new Error(`product-code decoder: no slot ${slot}`);
    if (value.length !== this.tau) throw new Error(`product-code decoder: slot ${slot} sent ${value.length} values, expected ${this.tau}`);
    if (this.enough() || this.values[slot]) return this.enough();
    this.values[slot] = value;
    if (this.peeler.add(slot)) this.arrived.push(slot);
    return this.enough();
  }

  enough(): boolean {
    return this.peeler.complete;
  }

  canDecodeEarly(): boolean {
    return false;
  }

  decode(): Decoded {
    if (!this.enough()) throw new Error(`product-code decoder: peeling has recovered ${this.peeler.dataKnown} of the ${this.grid.dataBlocks} data blocks`);
    const value = replayPeeling(this.grid, this.values, this.peeler.steps, this.tau);
    return { value, used: [...this.arrived], exact: true };
  }
}
