#!/usr/bin/env node
'use strict';
/**
 * Builds the native kernels (build/Release/coda_blas.node) with node-gyp: the package's install
 * script, so `npm install` and `npm ci` run it. Against the machine's Node headers when they are
 * installed beside node (Debian/NodeSource: /usr/include/node; the official image:
 * /usr/local/include/node), so no download is needed.
 *
 * A failed build does not fail the install: Coda then runs on its plain JS kernels and says so
 * once at startup. CODA_REQUIRE_NATIVE=1 (CI) makes it fail.
 *
 *   npm run build:native          (after: apt-get install -y libopenblas-dev)
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const required = process.env.CODA_REQUIRE_NATIVE === '1';
const INSTALL = 'apt-get install -y libopenblas-dev && npm run build:native';

function giveUp(why) {
  const line = `coda: native kernels not built (${why}); Coda will use the plain JS kernels. To build them: ${INSTALL}`;
  process.stderr.write(`${line}\n`);
  process.exit(required ? 1 : 0);
}

/** node-gyp's entry: npm passes its bundled copy to scripts; otherwise look beside npm. */
function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(path.dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not a dependency of ours
  }
  return candidates.find((p) => p && fs.existsSync(p));
}

/** The folders a C compiler looks in by default on Linux. */
const INCLUDE_ROOTS = ['/usr/include', '/usr/local/include'];

/** A folder's subfolders; none when it is missing or unreadable (an image without headers has no /usr/include). */
function subfolders(dir) {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return [];
  }
}

/** cblas.h where Debian's libopenblas-dev puts it (multiarch), or anywhere the compiler looks by default. */
function haveCblas(roots = INCLUDE_ROOTS) {
  const dirs = roots.flatMap((r) => [r, ...subfolders(r).filter((n) => n.includes('-linux-')).map((n) => path.join(r, n))]);
  return dirs.some((d) => fs.existsSync(path.join(d, 'cblas.h')));
}

function main() {
  if (process.platform !== 'linux') giveUp(`${process.platform} is not supported by the build script, Linux only`);
  if (!haveCblas()) giveUp('cblas.h not found: libopenblas-dev is not installed');
  const gyp = nodeGyp();
  if (!gyp) giveUp('node-gyp not found (it comes with npm)');

  const args = [gyp, 'rebuild'];
  const prefix = path.join(path.dirname(process.execPath), '..');
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) && fs.existsSync(path.join(prefix, 'include', 'node', 'common.gypi'))) {
    args.push(`--nodedir=${path.resolve(prefix)}`);
  }
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    process.stderr.write(`${tail}\n`);
    giveUp(`node-gyp failed with status ${r.status ?? r.signal}`);
  }
  process.stdout.write(`coda: native kernels built (${path.relative(root, path.join(root, 'build', 'Release', 'coda_blas.node'))})\n`);
}

module.exports = { haveCblas };
if (require.main === module) {
  try {
    main();
  } catch (e) {
    // Whatever goes wrong here, the install goes on with the JS kernels, as promised above.
    giveUp(`the build script failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}
