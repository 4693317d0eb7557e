import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/** The folders compiled into dist/ that worker processes and the CLI run from. */
const SOURCES = ['shared', 'core', 'algorithms', 'master', 'client', 'launcher', 'worker', 'cli', 'experiments', 'proto'];
const BUILT = join(ROOT, 'dist', 'cli', 'main.js');

function newestSource(dir: string, best: { path: string; mtime: number }): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newestSource(p, best);
    else if ((entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) || entry.name.endsWith('.proto')) {
      const mtime = statSync(p).mtimeMs;
      if (mtime > best.mtime) Object.assign(best, { path: p, mtime });
    }
  }
}

let verdict: string | null | undefined;

/**
 * Cluster tests run worker processes (and the CLI) from dist/: a source changed since the last
 * build would be tested as its old self. Fails at once, naming the file, instead.
 */
export function staleDist(): string | null {
  if (verdict !== undefined) return verdict;
  if (!existsSync(BUILT)) return (verdict = 'dist/ is missing: run `npm run build` first (npm test does)');
  const built = statSync(BUILT).mtimeMs;
  const best = { path: '', mtime: 0 };
  for (const d of SOURCES) if (existsSync(join(ROOT, d))) newestSource(join(ROOT, d), best);
  verdict = best.mtime > built ? `dist/ is older than the sources (${relative(ROOT, best.path)} changed after the last build): run \`npm run build\` (npm test does)` : null;
  return verdict;
}
