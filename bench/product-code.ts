/**
 * Benchmark (not a test): the master's decoding time of one coded matrix-vector round at 60
 * workers, product-code (default 2-D grid: 6×7 data blocks on 7×8 = 56 cells) against mds
 * (n = 60, k = 50), for the row lengths of the OverSketched Newton reproduction's X·w (n = 200000
 * rows over the blocks) and Xᵀ·β (d = 200). Each round feeds the decoder every cell's answer in
 * a seeded random order, as a round would see them, and times add() calls plus decode(). A repeat
 * is the median of `rounds` rounds; the table shows the median of the repeats with their min–max,
 * and mds over product-code measured in the same run. Goal: < 1 ms a round for the product code.
 *
 *   npm run bench -- product-code [--repeats 5] [--rounds 100]
 */
import { performance } from 'node:perf_hooks';
import { lookupScheme } from '../core/schemes';
import { Rng } from '../shared/random';
import { fmtSpread, spread, type Spread } from './report';
import { median } from './stats';

interface Row {
  scheme: string;
  product: string;
  blockRows: number;
  /** Per repeat: the median ms of its rounds. */
  ms: Spread;
  /** mds over product-code (medians of the same product), on the mds rows. */
  vsProductCode?: number;
}

function timeDecoder(name: string, params: Record<string, unknown>, workers: number, totalRows: number, rounds: number, repeats: number, seed: number): { label: string; blockRows: number; ms: Spread } {
  const choice = lookupScheme(name).choose(params);
  const K = choice.defaultBlocks(workers);
  const tau = Math.ceil(totalRows / K);
  const plan = choice.plan({ workers, blocks: K, blockRows: new Array<number>(K).fill(tau), rng: new Rng(1) });
  const slots = plan.slots.length;
  const rng = new Rng(seed);
  const answers = Array.from({ length: slots }, () => Float64Array.from({ length: tau }, () => rng.normal()));
  const perRepeat: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const order = Array.from(rng.permutation(slots));
      const d = plan.decoder();
      const t = performance.now();
      for (const s of order) if (d.add(s, answers[s]!)) break;
      if (!d.enough()) continue; // a pattern the code cannot decode: the round would wait on
      d.decode();
      times.push(performance.now() - t);
    }
    perRepeat.push(median(times));
  }
  return { label: `${name} ${JSON.stringify(choice.params)} (${K} data blocks, ${slots} slots)`, blockRows: tau, ms: spread(perRepeat) };
}

export async function benchProductCode(repeats: number, rounds = 100): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [label, total] of [
    ['X·w (200000 rows)', 200_000],
    ['Xᵀ·β (200 rows)', 200],
  ] as const) {
    const pc = timeDecoder('product-code', {}, 60, total, rounds, repeats, 2);
    // mds solves a k×k system per missing block: fewer rounds keep the run short, its median as stable.
    const mds = timeDecoder('mds', { n: 60, k: 50 }, 60, total, Math.max(5, Math.floor(rounds / 10)), repeats, 3);
    rows.push({ scheme: pc.label, product: label, blockRows: pc.blockRows, ms: pc.ms });
    rows.push({ scheme: mds.label, product: label, blockRows: mds.blockRows, ms: mds.ms, vsProductCode: mds.ms.median / pc.ms.median });
  }
  console.log(`\nDecoding one coded round at 60 workers on the master (add() of every answer until enough, then decode()); median of ${repeats} repeats [min–max], each the median of its rounds`);
  console.table(
    rows.map((r) => ({
      scheme: r.scheme,
      product: r.product,
      'rows a block': r.blockRows,
      ms: fmtSpread(r.ms, 3),
      'mds / product-code': r.vsProductCode === undefined ? '' : `${r.vsProductCode.toFixed(1)}×`,
    })),
  );
  return rows;
}
