#!/usr/bin/env node
'use strict';
/**
 * Copies what the image runs from a built checkout (src) to dest: bin/, dist/, proto/,
 * package.json, the health check, the native kernels' addon when it was built
 * (build/Release/coda_blas.node; without it the image runs the plain JS kernels), and the
 * production dependencies only. Which packages are
 * production is read from package-lock.json (entries flagged dev or devOptional are left out),
 * so no npm is needed in the image: the local base image has only node.
 *
 *   node deploy/docker/assemble-app.js /src /app
 */
const fs = require('node:fs');
const path = require('node:path');

const [src, dest] = process.argv.slice(2);
if (!src || !dest) {
  console.error('usage: assemble-app.js SRC DEST');
  process.exit(2);
}

function copy(rel, filter) {
  const from = path.join(src, rel);
  if (!fs.existsSync(from)) return false;
  fs.cpSync(from, path.join(dest, rel), { recursive: true, dereference: true, filter });
  return true;
}

fs.mkdirSync(dest, { recursive: true });
for (const rel of ['bin', 'dist', 'proto', 'package.json', 'package-lock.json', 'deploy/docker/healthcheck.js']) {
  if (!copy(rel, (p) => !p.endsWith('.map')) && rel !== 'package-lock.json') {
    console.error(`assemble-app: missing ${rel} in ${src}`);
    process.exit(1);
  }
}

// The addon alone, not node-gyp's object files. Its shared libraries (libopenblas.so.0, ...) come
// from the base image: apt in a Debian node image, the host's in the local base.
const ADDON = path.join('build', 'Release', 'coda_blas.node');
console.log(copy(ADDON) ? `assemble-app: native kernels ${ADDON}` : `assemble-app: no ${ADDON} (not built): the image runs the plain JS kernels`);

const lock = JSON.parse(fs.readFileSync(path.join(src, 'package-lock.json'), 'utf8'));
const packages = Object.entries(lock.packages ?? {}).filter(([key]) => key.startsWith('node_modules/'));
let kept = 0;
for (const [key, meta] of packages) {
  if (meta.dev || meta.devOptional) continue;
  const from = path.join(src, key);
  if (!fs.existsSync(from)) continue; // an optional dependency for another platform
  const nested = path.join(from, 'node_modules');
  // Nested node_modules are separate lock entries, copied (or not) on their own.
  copy(key, (p) => p !== nested && !p.startsWith(nested + path.sep) && !p.endsWith('.map'));
  kept++;
}
console.log(`assemble-app: ${kept} production packages of ${packages.length} -> ${dest}`);
