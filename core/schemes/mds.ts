import { z } from 'zod';
import { ClusterError, InputError } from '../../shared/errors';
import { buildMdsCode, recoverMissing, type MdsCode } from './mds-code';
import { expectedKthOf } from '../runtime/order-statistics';
import { intAtLeast } from './params';
import type { Decoded, Plan, PlanContext, RoundDecoder, Scheme } from './types';

export const mdsParams = z
  .object({
    /** Slots (coded blocks); default: the workers, or k plus a quarter more. */
    n: intAtLeast(2).optional(),
    /** Systematic blocks; default: n less a quarter. */
    k: intAtLeast(1).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.n !== undefined && p.k !== undefined && p.k >= p.n) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `k = ${p.k} must be less than n = ${p.n}` });
  });
export type MdsParams = z.infer<typeof mdsParams>;

export type MdsDescription = { n: number; k: number; parities: number; survives: number; blockRows: number; worstCondition: number; conditionVerified: string };

/** A quarter of the slots as parity: survives the few slow tasks of a heavy-tailed round. */
function defaultParities(n: number): number {
  return Math.max(1, Math.floor(n / 4));
}

/** n for k blocks on N workers: the given n, the workers, or k plus a quarter. */
function slotsOf(p: MdsParams, k: number, workers: number): number {
  return p.n ?? (workers > k ? workers : k + defaultParities(k));
}

/**
 * MDS-coded matrix-vector products (Lee et al.): k systematic data blocks plus n−k Gaussian parity
 * blocks, one slot each; any k answers give [A₁x; …; A_kx] exactly (see mds-code.ts for the code,
 * its conditioning: 1 ≤ k < n, the decoding system's condition number verified ≤ 1e8 when the
 * plan is made, over every survivor set when there are at most 50 000, over a seeded sample beyond).
 * Needs equal-sized blocks (a parity block is a row-by-row combination). Decodes matvec only.
 */
export const mds: Scheme<MdsParams, MdsDescription> = {
  name: 'mds',
  summary: 'k systematic + n−k parity blocks for matrix-vector products; exact from any k of n answers',
  taskKinds: ['matvec'],
  params: mdsParams,
  gradient: 'coded',
  approximate: false,
  stores: 'coded',
  multiBlockSlots: false,
  showdown: {},
  defaultBlocks(workers, p) {
    if (p.k !== undefined) return p.k;
    const n = p.n ?? Math.max(2, workers);
    return n - defaultParities(n);
  },
  check(p, { workers, blocks: k }) {
    if (p.k !== undefined && p.k !== k) throw new InputError(`scheme mds: k = ${p.k} but the job has ${k} blocks`);
    const n = slotsOf(p, k, workers);
    if (!(k >= 1 && n > k)) throw new InputError(`scheme mds: needs 1 ≤ k < n, got n = ${n}, k = ${k}`);
  },
  plan(ctx: PlanContext<MdsParams>): Plan<MdsDescription> {
    const k = ctx.blocks;
    const p = ctx.params;
    const n = slotsOf(p, k, ctx.workers);
    const tau = ctx.blockRows[0]!;
    if (ctx.blockRows.some((r) => r !== tau)) {
      throw new InputError(`scheme mds: blocks must have equal row counts (got ${[...new Set(ctx.blockRows)].join(', ')}); make the rows a multiple of k = ${k}`);
    }
    const code = buildMdsCode(n, k, ctx.rng);
    const stored = [
      ...Array.from({ length: k }, (_, j) => ({ terms: [{ block: j, coef: 1 }] })),
      ...Array.from({ length: n - k }, (_, i) => ({
        terms: Array.from({ length: k }, (_, j) => ({ block: j, coef: code.parity[i * k + j]! })),
      })),
    ];
    const slots = stored.map((_, s) => ({ host: s % ctx.workers, blocks: [{ stored: s, weight: 1 }] }));
    return {
      scheme: 'mds',
      stored,
      slots,
      taskKinds: ['matvec'],
      decoder: () => new MdsDecoder(code, tau),
      describe: () => ({
        n,
        k,
        parities: n - k,
        survives: n - k,
        blockRows: tau,
        worstCondition: code.worstCondition,
        conditionVerified: code.verified.sets === 'all' ? `every one of the ${code.verified.count} survivor sets` : `${code.verified.count} sampled of the ${code.verified.of} survivor sets`,
      }),
    };
  },
  /** Equal blocks (a parity is a row-by-row combination): ⌈rows/k⌉ each, the data padded with zero rows. */
  blockRows: (rows, k) => new Array<number>(k).fill(Math.ceil(rows / k)),
  candidates({ workers: N }) {
    if (N < 3) return [];
    const ks = [...new Set([N - 1, N - Math.max(1, Math.floor(N / 4)), N - 2])].filter((k) => k >= 1 && k < N);
    return ks.map((k) => ({ params: { n: N, k }, blocks: k, exact: true, label: `mds n=${N} k=${k}` }));
  },
  /**
   * n = N, K = k: the k-th fastest of N, two coded products an iteration, each slot over N/k of the
   * rows at half a gradient block's flops (a matvec is 2rc, the gradient 4rc): N/(2k) each.
   */
  expectedIterationSeconds(p, { workers: N, blocks: k, fit }) {
    return p.n === N && p.k === k ? 2 * (N / (2 * k)) * expectedKthOf(k, N, fit) : undefined;
  },
};

/**
 * Enough once k distinct slots answered; decodes to the stack of the k data blocks' products,
 * preferring systematic answers (they need no arithmetic) and solving only for the missing ones.
 */
export class MdsDecoder implements RoundDecoder {
  private readonly arrived = new Map<number, Float64Array>();

  constructor(
    private readonly code: MdsCode,
    private readonly tau: number,
  ) {}

  add(slot: number, value: Float64Array): boolean {
    if (!Number.isSafeInteger(slot) || slot < 0 || slot >= this.code.n) throw new ClusterError(`mds decoder: no slot ${slot}`);
    if (value.length !== this.tau) throw new ClusterError(`mds decoder: slot ${slot} sent ${value.length} values, expected ${this.tau}`);
    if (!this.enough() && !this.arrived.has(slot)) this.arrived.set(slot, value);
    return this.enough();
  }

  enough(): boolean {
    return this.arrived.size >= this.code.k;
  }

  canDecodeEarly(): boolean {
    return false;
  }

  decode(): Decoded {
    const { k } = this.code;
    if (!this.enough()) throw new Error(`mds decoder: ${this.arrived.size} of the ${k} answers needed`);
    const known: (Float64Array | undefined)[] = Array.from({ length: k }, (_, j) => this.arrived.get(j));
    const missing = known.filter((y) => y === undefined).length;
    const parities = [...this.arrived.entries()]
      .filter(([s]) => s >= k)
      .sort(([a], [b]) => a - b)
      .slice(0, missing)
      .map(([s, y]): [number, Float64Array] => [s - k, y]);
    const recovered = recoverMissing(this.code, known, parities, this.tau);
    const value = new Float64Array(k * this.tau);
    for (let j = 0; j < k; j++) value.set(known[j] ?? recovered.get(j)!, j * this.tau);
    const used = [...known.flatMap((y, j) => (y ? [j] : [])), ...parities.map(([i]) => i + k)];
    return { value, used, exact: true };
  }
}
