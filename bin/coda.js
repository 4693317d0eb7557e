#!/usr/bin/env node
'use strict';
// The `coda` command. The TypeScript sources are compiled to dist/ by `npm run build`
// (run automatically by `npm install` through the prepare script).
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('coda: dist/cli/main.js is missing; run `npm run build` first\n');
  process.exit(1);
}
require(entry).main(process.argv).then((code) => process.exit(code));
