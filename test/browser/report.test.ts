/**
 * The experiment report in a real browser: Debian's Chromium, headless, driven by playwright-core.
 * The report is built from a finished experiment folder (a small real experiment on a local
 * cluster of worker processes), opened from disk, screenshotted, and every plot must have drawn
 * marks, with no console error and no failed request.
 *
 * Needs /usr/bin/chromium (apt-get install -y chromium). Without it the test is skipped with a
 * loud line, unless CODA_REQUIRE_CHROMIUM=1 (CI), where it fails.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** CODA_CHROMIUM_PATH only to check the skip and failure paths; the install command is for /usr/bin/chromium. */
const CHROMIUM = process.env.CODA_CHROMIUM_PATH ?? '/usr/bin/chromium';
const have = existsSync(CHROMIUM);
const required = process.env.CODA_REQUIRE_CHROMIUM === '1';
if (!have) {
  const line = `browser tests: ${CHROMIUM} is missing; install it with: apt-get install -y chromium`;
  if (required) throw new Error(`${line} (CODA_REQUIRE_CHROMIUM=1, so this is a failure)`);
  console.warn(`\n!!!!!!!! SKIPPED: ${line} !!!!!!!!\n`);
}

const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const EXPERIMENT = `
name: browser-check
description: small matrix for the browser test
base:
  job: least-squares
  data: { synthetic: { kind: student-t, rows: 400, cols: 12, seed: 1, df: 3 } }
  stop: { tol: 1.0e-8, maxRounds: 200, timeLimit: 30 }
matrix:
  schemes: [wait-all, { name: frc, stragglers: 1 }]
  chaos:
    none: {}
    lambda-tail: { delay: { dist: lambda-tail, base: 0.004 } }
  seeds: [1, 2]
  workers: [4]
targets: [1.0e-3, 1.0e-6]
`;

describe.skipIf(!have)('report.html in headless Chromium', () => {
  let dir: string;
  let out: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'coda-report-'));
    out = join(dir, 'out');
    writeFileSync(join(dir, 'exp.yaml'), EXPERIMENT);
    // The CLI end to end (needs `npm run build`, as every cluster test does).
    const r = spawnSync(process.execPath, [join(__dirname, '../../bin/coda.js'), 'experiment', join(dir, 'exp.yaml'), '--out', out], { encoding: 'utf8', timeout: 180_000 });
    if (r.status !== 0) throw new Error(`coda experiment exited ${r.status}: ${r.stderr}`);
  });

  afterAll(() => {
    if (process.env.CODA_KEEP_REPORT === '1') console.log(`report kept in ${out}`);
    else if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('renders every plot with marks and logs no console error', async () => {
    const { chromium } = await import('playwright-core');
    const profile = mkdtempSync(join(tmpdir(), 'coda-chromium-'));
    // A fresh profile each time (Playwright passes it to Chromium as --user-data-dir).
    const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: FLAGS, viewport: { width: 1400, height: 1000 } });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
      await page.goto(pathToFileURL(join(out, 'report.html')).href, { waitUntil: 'load' });

      const plots = await page.$$eval('figure.plot', (figs) =>
        figs.map((f) => {
          const svg = f.querySelector('svg');
          const box = svg?.getBoundingClientRect();
          // Vega's SVG puts data marks under g.role-mark (axes, legends and titles have other roles).
          const marks = svg ? svg.querySelectorAll('g.role-mark > path, g.role-mark > rect, g.role-mark > line, g.role-mark > circle').length : 0;
          return { id: f.getAttribute('data-plot'), marks, width: box?.width ?? 0, height: box?.height ?? 0 };
        }),
      );
      await page.screenshot({ path: join(out, 'report.png'), fullPage: true });

      expect(plots.map((p) => p.id)).toEqual(['error-vs-time', 'time-to-target', 'worker-latency', 'straggler-timeline']);
      for (const p of plots) {
        expect(p.marks, `plot ${p.id} drew no marks`).toBeGreaterThan(0);
        expect(p.width).toBeGreaterThan(100);
        expect(p.height).toBeGreaterThan(100);
      }
      // The summary table: one row per scheme and chaos profile.
      expect(await page.$$eval('table.summary tbody tr', (rows) => rows.length)).toBe(4);
      expect(existsSync(join(out, 'report.png'))).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
