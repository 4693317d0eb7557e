/**
 * Benchmark (not a test): the master's decoding time of one coded matrix-vector round at 60
 * workers, product-code (default 2-D grid: 6×7 data blocks on 7×8 = 56 cells) against mds
 * (n = 60, k = 50), for the row lengths of the OverSketched Newton reproduction's X·w (n = 200000
 * rows over the blocks) and Xᵀ·β (d = 200). Each round feeds the decoder every cell's answer in
 * a seeded random order with the slowest 5% (lambda-tail's ×2.5 share) last, as a round would see
 * them, and times add() calls plus decode(). Medians over rounds. Goal: < 1 ms a round for the
 * product code.
 *
 *   npm run build && node dist/bench/product-code.js [--rounds 200]
 */
import { performance } from 'node:perf_hooks';
import { lookupScheme } from '../core/schemes';
import { Rng } from '../shared/random';
import { median } from './stats';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

interface Row {
  scheme: string;
  product: string;
  blockRows: number;
  medianMs: number;
  p90Ms: number;
}

function timeDecoder(name: string, params: Record<string, unknown>, workers: number, totalRows: number, rounds: number, label: string): Row {
  const choice = lookupScheme(name).choose(params);
  const K = choice.defaultBlocks(workers);
  const tau = Math.ceil(totalRows / K);
  const plan = choice.plan({ workers, blocks: K, blockRows: new Array<number>(K).fill(tau), rng: new Rng(1) });
  const slots = plan.slots.length;
  const rng = new Rng(2);
  const answers = Array.from({ length: slots }, () => Float64Array.from({ length: tau }, () => rng.normal()));
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const order = Array.from(rng.permutation(slots));
    const d = plan.decoder();
    const t = performance.now();
    for (const s of order) if (d.add(s, answers[s]!)) break;
    if (!d.enough()) continue; // a pattern the code cannot decode: the round would wait on
    d.decode();
    times.push(performance.now() - t);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { scheme: `${name} ${JSON.stringify(plan.describe().grid ?? [plan.describe().n, plan.describe().k])}`, product: label, blockRows: tau, medianMs: median(times), p90Ms: sorted[Math.floor(0.9 * (sorted.length - 1))]! };
}

export async function benchProductCode(): Promise<Row[]> {
  const rounds = arg('rounds', 200);
  const rows: Row[] = [];
  for (const [label, total] of [
    ['X·w (200000 rows)', 200_000],
    ['Xᵀ·β (200 rows)', 200],
  ] as const) {
    rows.push(timeDecoder('product-code', {}, 60, total, rounds, label));
    rows.push(timeDecoder('mds', { n: 60, k: 50 }, 60, total, Math.max(5, Math.floor(rounds / 10)), label));
  }
  console.log('\nDecoding one coded round at 60 workers on the master (add() of the answers until enough, then decode()), medians');
  console.table(rows.map((r) => ({ scheme: r.scheme, product: r.product, 'rows a block': r.blockRows, 'median ms': r.medianMs.toFixed(3), 'p90 ms': r.p90Ms.toFixed(3) })));
  return rows;
}

if (require.main === module) {
  benchProductCode().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
