/**
 * The adaptive-oracle bench's table, from its runs (pure): per delay condition and job length,
 * the oracle fixed scheme (the configuration of a fixed scheme with the least median time to
 * target over the seeds, chosen after the fact), each adaptive variant's time, and its ratio to
 * the oracle paired by seed. A run that never reached the target counts as +∞: a median is finite
 * only when more than half of its seeds reached the target, and every cell says how many did.
 */

export interface OracleRun {
  condition: string;
  length: string;
  seed: number;
  /** The fixed configuration ("frc s=1 cover", "wait-all without the slowest") or the adaptive variant. */
  config: string;
  kind: 'fixed' | 'adaptive';
  /** Seconds to the target; null when the run stopped without reaching it. */
  seconds: number | null;
  rounds: number;
  /** Anything else the run reports (for the JSON record). */
  detail?: Record<string, unknown>;
}

export interface SeedSpread {
  /** Median over every seed, +∞ for the ones that did not reach the target. */
  median: number;
  min: number;
  max: number;
  reached: number;
  seeds: number;
}

export interface OracleCell extends SeedSpread {
  config: string;
}

export interface VariantCell extends OracleCell {
  /**
   * adaptive / oracle per seed, median and range: +∞ where adaptive did not reach the target and
   * the oracle did, 0 where the oracle did not and adaptive did; a seed neither reached is left
   * out (`seeds` counts the rest).
   */
  ratio: SeedSpread;
}

export interface OracleRow {
  condition: string;
  length: string;
  oracle: OracleCell;
  /** The next-best fixed configurations (how close the oracle's choice was). */
  runnersUp: OracleCell[];
  variants: VariantCell[];
}

/** Median of values with +∞ allowed (type 7 between the two middle ones; ∞ if either is). */
export function medianWithInfinity(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) / 2;
  const lo = s[Math.floor(h)]!;
  const hi = s[Math.ceil(h)]!;
  return lo === hi ? lo : lo + (h - Math.floor(h)) * (hi - lo);
}

export function seedSpread(values: readonly (number | null)[]): SeedSpread {
  const v = values.map((x) => (x === null || !Number.isFinite(x) ? Infinity : x));
  return { median: medianWithInfinity(v), min: Math.min(...v), max: Math.max(...v), reached: v.filter(Number.isFinite).length, seeds: v.length };
}

function cell(config: string, runs: readonly OracleRun[]): OracleCell {
  return { config, ...seedSpread(runs.map((r) => r.seconds)) };
}

/** One row per (condition, length), in the order the runs first name them. */
export function oracleTable(runs: readonly OracleRun[], runnersUp = 2): OracleRow[] {
  const keys = [...new Set(runs.map((r) => JSON.stringify([r.condition, r.length])))].map((k) => JSON.parse(k) as [string, string]);
  return keys.map(([condition, length]) => {
    const here = runs.filter((r) => r.condition === condition && r.length === length);
    const byConfig = (kind: OracleRun['kind']): Map<string, OracleRun[]> => {
      const m = new Map<string, OracleRun[]>();
      for (const r of here.filter((x) => x.kind === kind)) m.set(r.config, [...(m.get(r.config) ?? []), r]);
      return m;
    };
    const fixed = [...byConfig('fixed')].map(([config, rs]) => ({ rs, cell: cell(config, rs) }));
    // Least median; among equal medians, the most seeds reached, then the least worst case.
    fixed.sort((a, b) => a.cell.median - b.cell.median || b.cell.reached - a.cell.reached || a.cell.max - b.cell.max);
    const best = fixed[0];
    if (!best) throw new Error(`oracle table: no fixed scheme ran under ${condition}, ${length}`);
    const oracleBySeed = new Map(best.rs.map((r) => [r.seed, r.seconds]));
    const variants = [...byConfig('adaptive')].map(([config, rs]): VariantCell => {
      const ratios: number[] = [];
      for (const r of rs) {
        const o = oracleBySeed.get(r.seed) ?? null;
        if (r.seconds === null && o === null) continue;
        ratios.push(r.seconds === null ? Infinity : o === null ? 0 : r.seconds / o);
      }
      return { ...cell(config, rs), ratio: seedSpread(ratios) };
    });
    return { condition, length, oracle: best.cell, runnersUp: fixed.slice(1, 1 + runnersUp).map((f) => f.cell), variants };
  });
}

function num(x: number, digits: number): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '∞';
}

/** "0.87 (0.80–0.95), 5/5": median (min–max) in seconds and the seeds that reached the target. */
export function formatSpread(s: SeedSpread, digits = 2, suffix = ''): string {
  if (s.reached === 0) return `never, 0/${s.seeds}`;
  return `${num(s.median, digits)}${suffix} (${num(s.min, digits)}–${num(s.max, digits)}), ${s.reached}/${s.seeds}`;
}

/** The table in markdown: one row per condition and length, adaptive variants as column pairs. */
export function oracleMarkdown(rows: readonly OracleRow[], opts: { target?: number; rounds?: Record<string, number> } = {}): string {
  const variantNames = [...new Set(rows.flatMap((r) => r.variants.map((v) => v.config)))];
  const header = ['condition', 'job', 'oracle fixed scheme', 'oracle s', ...variantNames.flatMap((v) => [`${v} s`, `${v} / oracle`])];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const r of rows) {
    const rounds = opts.rounds?.[r.length];
    const cells = [
      r.condition,
      rounds !== undefined ? `${r.length} (${rounds} rounds)` : r.length,
      r.oracle.config,
      formatSpread(r.oracle),
      ...variantNames.flatMap((name) => {
        const v = r.variants.find((x) => x.config === name);
        if (!v) return ['—', '—'];
        const ratio = v.ratio.seeds === 0 ? '—' : `**${num(v.ratio.median, 2)}×** (${num(v.ratio.min, 2)}–${num(v.ratio.max, 2)})`;
        return [formatSpread(v), ratio];
      }),
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Rows where a variant's median ratio to the oracle exceeds `limit` (or is not finite). */
export function rowsOver(rows: readonly OracleRow[], variant: string, limit: number): OracleRow[] {
  return rows.filter((r) => {
    const v = r.variants.find((x) => x.config === variant);
    return !v || !(v.ratio.median <= limit);
  });
}
