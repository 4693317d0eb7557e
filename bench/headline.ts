import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DaskRow } from './dask';
import { describeLoad, fmtSpread, runMain, type BenchHeader, type Spread } from './report';
import type { RoundsRow } from './scale';

/**
 * The headline ratios, each against its anchor, read from the records the benches wrote
 * (out/bench/<name>.json, or the folder given): one short markdown table for the headline table
 * of docs/results.md, every row with the command that produced it, its repeats and the
 * machine's load while it ran. A bench not run yet is a row saying so.
 *
 *   node dist/bench/headline.js [out/bench]
 */
interface Record_ {
  header: BenchHeader;
  result: Record<string, unknown>;
}

interface Line {
  what: string;
  figure: string;
  anchor: string;
  record?: Record_;
}

function read(dir: string, bench: string): Record_ | undefined {
  const p = join(dir, `${bench}.json`);
  if (!existsSync(p)) return undefined;
  const r = JSON.parse(readFileSync(p, 'utf8')) as Partial<Record_>;
  // Records from before the common header have no header: not to be quoted.
  return r.header && r.result ? (r as Record_) : undefined;
}

const f = (s: Spread | null | undefined, d = 2): string => fmtSpread(s, d);

/** The fixed-step rows of one layout of a dask record. */
function fixedRows(r: Record_ | undefined, layout?: string): DaskRow[] {
  const rows = (r?.result.summary as { rows: DaskRow[] } | undefined)?.rows ?? [];
  const first = (r?.result.layouts as { name: string }[] | undefined)?.[0]?.name;
  return rows.filter((x) => x.table === 'fixed step' && x.layout === (layout ?? first));
}

/** How a dask record drove Dask (its driver's variant), from what the driver reported. */
function driverOf(r: Record_): string {
  const h = (r.result.dask as Record<string, unknown>[] | undefined)?.[0] ?? {};
  return `${String(h.task)} tasks, first-q ${String(h.firstQ ?? 'results')}, ${String(h.cancel)}${h.directToWorkers ? ', direct gathers' : ''}`;
}

function daskLines(r: Record_ | undefined, variants: Record_[]): Line[] {
  const head = fixedRows(r);
  if (!r || head.length === 0) return [{ what: 'Coda vs Dask distributed, same scheme (`dask`)', figure: 'not run', anchor: '—' }];
  const lines: Line[] = [];
  for (const x of head) {
    // Dask's other drivers, each measured against Coda in its own run: quote the one most in Dask's favour.
    const others = variants
      .map((v) => ({ v, row: fixedRows(v, x.layout).find((y) => y.scheme === x.scheme) }))
      .filter((o): o is { v: Record_; row: DaskRow } => o.row !== undefined)
      .sort((a, b) => a.row.daskOverCoda.median - b.row.daskOverCoda.median);
    const best = others[0];
    const bestNote = best && best.row.daskOverCoda.median < x.daskOverCoda.median ? `; Dask's most favourable driver (${driverOf(best.v)}, its own run): ${f(best.row.daskOverCoda)}×` : others.length ? `; no other Dask driver measured did better (${others.length} tried)` : '';
    lines.push({
      what: `Dask / Coda, ${x.scheme} vs ${x.scheme}, fixed step, same rounds (${x.layout}; Dask: ${driverOf(r)})`,
      figure: `${f(x.daskOverCoda)}× (Coda ${f(x.seconds.coda)} s, Dask ${f(x.seconds.dask)} s)${bestNote}`,
      anchor: `delay floor ${f(x.delayFloor.coda)} s: Coda ${f(x.codaOverFloor)}×${x.scheme === 'wait-all' ? ' (goal ≤ 1.15)' : ''}, Dask ${f(x.daskOverFloor)}× (no system beats Dask by more than that)`,
      record: r,
    });
    lines.push({
      what: `Coda / bare bidi-stream fan-out, ${x.scheme}, same rounds and delays (${x.layout})`,
      figure: `${f(x.codaOverBare)}× (goal ≤ 1.1)`,
      anchor: `bare fan-out ${f(x.seconds.bare)} s = ${f(x.bareOverFloor)}× the delay floor`,
      record: r,
    });
  }
  return lines;
}

function roundLines(scale: Record_ | undefined, overhead: Record_ | undefined): Line[] {
  const lines: Line[] = [];
  const row = (rec: Record_, x: RoundsRow, where: string): Line => ({
    what: `Coda / bare bidi-stream fan-out, a round of ${x.tasks} no-op tasks (${where})`,
    figure: `${f(x.codaOverBidi)}× (Coda ${f(x.codaMs)} ms; goal ≤ 1.1)`,
    anchor: `bare bidi ${f(x.bidiMs)} ms; bare unary fan-out ${f(x.unaryMs)} ms (Coda ${f(x.codaOverUnary)}× it)`,
    record: rec,
  });
  if (overhead) {
    for (const l of overhead.result.layouts as { layout: string; processes: number; rows: RoundsRow[] }[]) {
      const x = l.rows.find((y) => y.tasks === 8) ?? l.rows.at(-1);
      if (x) lines.push(row(overhead, x, `${l.layout}, ${l.processes} processes`));
    }
  } else lines.push({ what: 'Coda / bare bidi-stream fan-out, no-op rounds (`round-overhead`)', figure: 'not run', anchor: '—' });
  if (scale) {
    const where = `${String(scale.result.workers)} workers in ${String(scale.result.processes)} processes`;
    for (const x of (scale.result.rounds as RoundsRow[]).filter((y) => y.tasks >= 128)) lines.push(row(scale, x, where));
    const idle = scale.result.idle as { cores: Spread; windowSeconds: number; afterSeconds: number; windows: number[] };
    lines.push({
      what: `idle CPU of ${where}`,
      figure: `${fmtSpread({ ...idle.cores, median: 100 * idle.cores.median, min: 100 * idle.cores.min, max: 100 * idle.cores.max }, 1, '%')} of one core (goal < 10%)`,
      anchor: `${idle.windows.length} windows of ${idle.windowSeconds} s from ${idle.afterSeconds} s after start`,
      record: scale,
    });
  } else lines.push({ what: 'rounds at 128 and 256 workers, idle CPU (`scale`)', figure: 'not run', anchor: '—' });
  return lines;
}

function kernelLines(r: Record_ | undefined): Line[] {
  if (!r) return [{ what: 'native kernels vs numpy on the same OpenBLAS (`kernels`)', figure: 'not run', anchor: '—' }];
  type Row = { name: string; unit: string; native?: Spread; js: Spread; numpy?: Spread };
  const rows = (r.result.rows as Row[]).filter((x) => x.numpy);
  const ratios = rows.map((x) => ({ name: x.name, ratio: (x.native ?? x.js).median / x.numpy!.median }));
  const low = [...ratios].sort((a, b) => a.ratio - b.ratio)[0];
  return [
    {
      what: `kernels, Coda / numpy on the same OpenBLAS, one thread (${rows.length} kernels)`,
      figure: `median ${ratios.map((x) => x.ratio).sort((a, b) => a - b)[ratios.length >> 1]!.toFixed(2)}×, lowest ${low ? `${low.ratio.toFixed(2)}× (${low.name})` : '—'}`,
      anchor: 'numpy in the same run, interleaved',
      record: r,
    },
  ];
}

function placementLines(r: Record_ | undefined): Line[] {
  if (!r) return [{ what: 'placement over the bulk channel (`placement`)', figure: 'not run', anchor: '—' }];
  const bulk = r.result.bulk as { fractionOfRawTcp: number; MBps: number };
  return [{ what: 'placement of 64 MiB on a worker, bulk channel / raw loopback TCP', figure: `${bulk.fractionOfRawTcp.toFixed(2)} (${bulk.MBps.toFixed(0)} MB/s)`, anchor: `raw TCP ${(r.result.rawTcpMBps as number).toFixed(0)} MB/s in the same run`, record: r }];
}

function lapackLines(r: Record_ | undefined): Line[] {
  if (!r) return [{ what: 'LAPACK vs numpy/scipy (`lapack`)', figure: 'not run', anchor: '—' }];
  const ratios = (r.result.rows as { name: string; size: string; ratio?: number }[]).filter((x) => x.ratio !== undefined);
  const low = [...ratios].sort((a, b) => a.ratio! - b.ratio!)[0];
  const sorted = ratios.map((x) => x.ratio!).sort((a, b) => a - b);
  return [{ what: `master's factorizations, numpy time / Coda time (${ratios.length} operations)`, figure: `median ${sorted[sorted.length >> 1]?.toFixed(2) ?? '—'}, lowest ${low ? `${low.ratio!.toFixed(2)} (${low.name} ${low.size})` : '—'}`, anchor: 'numpy/scipy in the same run', record: r }];
}

function main(): Promise<void> {
  const dir = process.argv[2] ?? join('out', 'bench');
  const lines = [
    ...daskLines(
      read(dir, 'dask'),
      readdirSync(dir)
        .filter((n) => /^dask-.+\.json$/.test(n))
        .map((n) => read(dir, n.slice(0, -5)))
        .filter((x): x is Record_ => x !== undefined),
    ),
    ...roundLines(read(dir, 'scale'), read(dir, 'round-overhead')),
    ...kernelLines(read(dir, 'kernels')),
    ...lapackLines(read(dir, 'lapack')),
    ...placementLines(read(dir, 'placement')),
  ];
  const provenance = (r: Record_ | undefined): string => {
    if (!r) return '—';
    const h = r.header;
    return `\`${h.command.replace(/^node dist\/bench\/index\.js /, 'npm run bench -- ')}\`, ${h.repeats} repeats, ${describeLoad(h.load)}, commit ${h.commit}${h.dirty ? ' (uncommitted changes)' : ''}, ${h.started.slice(0, 10)}`;
  };
  console.log('| headline | figure | anchor (same run) | command, repeats, load |');
  console.log('| --- | --- | --- | --- |');
  for (const l of lines) console.log(`| ${l.what} | ${l.figure} | ${l.anchor} | ${provenance(l.record)} |`);
  const machines = new Set(lines.filter((l) => l.record).map((l) => `${l.record!.header.machine.cpus} cpus ${l.record!.header.machine.model}, Node ${l.record!.header.node}`));
  console.log(`\nMachine${machines.size > 1 ? 's (the records come from more than one!)' : ''}: ${[...machines].join('; ') || '—'}`);
  return Promise.resolve();
}

if (require.main === module) runMain(main);
