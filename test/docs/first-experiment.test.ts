import { spawnSync } from 'node:child_process';
import { runProcess } from '../helpers/run-process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staleDist } from '../helpers/dist-fresh';
import { fencedBlocks, readText, type FencedBlock } from './markdown';

/**
 * docs/first-experiment.md runs as written: its blocks marked `<!-- run -->` (bash, python) and
 * `<!-- file: NAME -->` (saved as NAME) become one bash script, in page order, run in an empty
 * folder with `npx coda` meaning this checkout's bin/coda.js and `python3` Debian's
 * /usr/bin/python3 (the one with numpy). The README's "Your first experiment" shows the same
 * blocks (each one found verbatim in the page), and the page's job and experiment files are the
 * examples of the same names.
 *
 * Needs numpy: without it the test is skipped with a loud line; CODA_REQUIRE_PYTHON=1 (CI) makes
 * that a failure. About a minute on 2 cores.
 */
const ROOT = join(__dirname, '..', '..');
const PAGE = join(ROOT, 'docs', 'first-experiment.md');
const PYTHON = process.env.CODA_PYTHON ?? '/usr/bin/python3';

function numpyMissing(): string | null {
  if (!existsSync(PYTHON)) return `no ${PYTHON}`;
  const r = spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' });
  return r.status === 0 ? null : `numpy missing for ${PYTHON}`;
}

const missing = numpyMissing();
if (missing) {
  const msg = `docs/first-experiment.md: ${missing}: apt-get install -y python3-numpy`;
  if (process.env.CODA_REQUIRE_PYTHON === '1') throw new Error(`${msg} (CODA_REQUIRE_PYTHON=1 makes this a failure)`);
  console.warn(`${'='.repeat(80)}\nSKIPPED: ${msg}\n${'='.repeat(80)}`);
}

/** Heredoc delimiters no block of the page may contain. */
const EOF_PY = 'CODA_DOCS_PYTHON_EOF';
const EOF_FILE = 'CODA_DOCS_FILE_EOF';

/** One bash script of the page's marked blocks, each announced on stderr with its line. */
function pageScript(blocks: FencedBlock[], page: string): string {
  const parts = [
    'set -euo pipefail',
    // `npx coda` as a user of the checkout runs it; anything else goes to the real npx.
    'npx() { if [ "${1:-}" = coda ]; then shift; node "$CODA_ROOT/bin/coda.js" "$@"; else command npx "$@"; fi; }',
  ];
  for (const b of blocks) {
    if (!b.marker) continue;
    if (b.body.includes(EOF_PY) || b.body.includes(EOF_FILE)) throw new Error(`${page}:${b.line}: the block contains a heredoc delimiter of the test`);
    parts.push(`echo "== ${page}:${b.line} (${b.marker.kind === 'file' ? `file ${b.marker.name}` : b.lang})" >&2`);
    if (b.marker.kind === 'file') parts.push(`cat > '${b.marker.name}' <<'${EOF_FILE}'\n${b.body}${EOF_FILE}`);
    else if (b.lang === 'bash' || b.lang === 'sh') parts.push(b.body);
    else if (b.lang === 'python') parts.push(`python3 - <<'${EOF_PY}'\n${b.body}${EOF_PY}`);
    else throw new Error(`${page}:${b.line}: a block marked to run must be bash or python, not '${b.lang}'`);
  }
  return `${parts.join('\n')}\n`;
}

describe.skipIf(missing !== null)('docs/first-experiment.md runs as written', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'coda-first-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  beforeAll(() => {
    const stale = staleDist();
    if (stale) throw new Error(stale);
  });

  const blocks = fencedBlocks(readText(PAGE));

  it('marks its commands and files to run', () => {
    const marked = blocks.filter((b) => b.marker);
    expect(marked.filter((b) => b.marker!.kind === 'run').length).toBeGreaterThanOrEqual(5);
    expect(marked.filter((b) => b.marker!.kind === 'file').map((b) => (b.marker as { name: string }).name)).toEqual(expect.arrayContaining(['least-squares.yaml', 'least-squares-experiment.yaml']));
    // Every shell or Python block on the page runs, so nothing quoted there rots unseen.
    const unmarked = blocks.filter((b) => !b.marker && ['bash', 'sh', 'python'].includes(b.lang)).map((b) => `line ${b.line}`);
    expect(unmarked).toEqual([]);
  });

  it('its job and experiment files are the examples of the same names', () => {
    for (const b of blocks) {
      if (b.marker?.kind !== 'file') continue;
      const example = join(ROOT, 'examples', b.marker.name);
      if (existsSync(example)) expect(b.body, `examples/${b.marker.name}`).toBe(readFileSync(example, 'utf8'));
    }
  });

  it("the README's first experiment shows the page's own blocks", () => {
    const readme = readText(join(ROOT, 'README.md'));
    const start = readme.indexOf('## Your first experiment');
    const end = readme.indexOf('\n## ', start + 1);
    expect(start).toBeGreaterThan(0);
    const section = readme.slice(start, end);
    const shown = fencedBlocks(section).filter((b) => ['bash', 'python', 'yaml'].includes(b.lang));
    expect(shown.length).toBeGreaterThanOrEqual(5);
    const pageBodies = blocks.map((b) => b.body);
    for (const b of shown) expect(pageBodies.some((p) => p.includes(b.body)), `README block:\n${b.body}`).toBe(true);
  });

  it('every marked block runs, in order, in an empty folder', async () => {
    const bin = join(tmp, 'bin');
    mkdirSync(bin);
    symlinkSync(PYTHON, join(bin, 'python3'));
    const work = join(tmp, 'checkout-like');
    mkdirSync(work);
    const script = pageScript(blocks, 'docs/first-experiment.md');
    writeFileSync(join(tmp, 'page.sh'), script);
    const r = await runProcess('bash', [join(tmp, 'page.sh')], {
      cwd: work,
      timeoutMs: 600_000,
      env: { ...process.env, CODA_ROOT: ROOT, PATH: `${bin}:${process.env.PATH ?? ''}`, CODA_LOG_LEVEL: 'error' },
    });
    const tail = `${r.stdout.slice(-3000)}\n--- stderr ---\n${r.stderr.slice(-3000)}`;
    expect(r.error, tail).toBeUndefined();
    expect(r.status, tail).toBe(0);
    const first = join(work, 'out', 'first');
    for (const f of ['out/least-squares/x.npy', 'out/least-squares/result.json', 'out/least-squares/history.jsonl', 'out/first-comparison/runs.csv', 'out/first-comparison/summary.csv', 'out/first-comparison/report.html', 'out/showdown/result.json']) {
      expect(existsSync(join(first, f)), f).toBe(true);
    }
    expect(r.stdout).toContain('relative error against numpy');
  }, 660_000);
});
