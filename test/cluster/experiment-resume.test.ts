import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pollFor } from '../helpers/cluster-fixture';

const coda = join(__dirname, '../../bin/coda.js');
const tmp = mkdtempSync(join(tmpdir(), 'coda-resume-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// A constant injected delay (so a run lasts long enough to be interrupted) and exact schemes:
// rounds and errors are the same in every run; only the wall-clock columns differ.
const EXPERIMENT = `name: resume-check
base:
  job: least-squares
  data: { synthetic: { kind: student-t, rows: 1200, cols: 12, seed: 3, df: 3 } }
  stop: { tol: 1.0e-9, maxRounds: 2000, timeLimit: 60 }
matrix:
  schemes: [wait-all, { name: frc, stragglers: 1 }, replication]
  chaos: { steady: { delay: { dist: constant, value: 0.02 } } }
  seeds: [1, 2]
  workers: [4]
targets: [1.0e-6]
baseline: steady
`;

// Columns that depend on timing: wall times, and what redundant schemes cut off or received
// before they decoded (bytes moved counts the answers that made it in time).
const TIMING = /seconds|time_to|straggler_tax|stragglers_cut_off|rounds_with_stragglers|backups|bytes_moved/;

/** One CSV line into cells (RFC 4180 quoting: "" inside quotes is a quote). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') out.push(cur), (cur = '');
    else cur += ch;
  }
  out.push(cur);
  return out;
}

/** runs.csv without the wall-clock columns (and errors rounded: frc may add in another order). */
function deterministicColumns(path: string): string[][] {
  const [head, ...rows] = readFileSync(path, 'utf8').trimEnd().split('\n').map(cells);
  const keep = head!.map((h, i) => (TIMING.test(h) ? -1 : i)).filter((i) => i >= 0);
  const errCols = new Set(head!.map((h, i) => (/error|resid/.test(h) ? i : -1)).filter((i) => i >= 0));
  return [head!, ...rows].map((r, k) => keep.map((i) => (k > 0 && errCols.has(i) && r[i] !== '' ? Number(r[i]).toPrecision(4) : r[i]!)));
}

describe('experiments on a real local cluster', () => {
  it('interrupted with SIGINT and resumed: the same runs.csv (but for wall times) as an uninterrupted run; finished runs are not rerun', async () => {
    writeFileSync(join(tmp, 'exp.yaml'), EXPERIMENT);
    const full = spawnSync(process.execPath, [coda, 'experiment', 'exp.yaml', '--out', 'full'], { cwd: tmp, encoding: 'utf8', timeout: 120_000 });
    expect(full.status, full.stderr).toBe(0);

    const cut = spawn(process.execPath, [coda, 'experiment', 'exp.yaml', '--out', 'cut'], { cwd: tmp, stdio: 'ignore' });
    const runsDir = join(tmp, 'cut', 'runs');
    const finished = (): string[] => (existsSync(runsDir) ? readdirSync(runsDir).filter((f) => f.endsWith('.json')) : []);
    await pollFor(() => finished().length >= 2, 60_000, 'two finished runs');
    cut.kill('SIGINT');
    const code = await new Promise<number | null>((r) => cut.once('exit', r));
    expect(code).toBe(130);
    const before = finished();
    expect(before.length).toBeGreaterThanOrEqual(2);
    expect(before.length).toBeLessThan(6);
    const stamps = new Map(before.map((f) => [f, statSync(join(runsDir, f)).mtimeMs]));

    const resumed = spawnSync(process.execPath, [coda, 'experiment', 'exp.yaml', '--out', 'cut'], { cwd: tmp, encoding: 'utf8', timeout: 120_000 });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(finished()).toHaveLength(6);
    for (const [f, t] of stamps) expect(statSync(join(runsDir, f)).mtimeMs, `${f} was rerun`).toBe(t);
    expect(deterministicColumns(join(tmp, 'cut', 'runs.csv'))).toEqual(deterministicColumns(join(tmp, 'full', 'runs.csv')));
  });
});
