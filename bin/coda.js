#!/usr/bin/env node
'use strict';
// The `coda` command. The TypeScript sources are compiled to dist/ by `npm run build`
// (run automatically by `npm install` through the prepare script).

// First, before anything is loaded: in a container this process is PID 1, and the kernel drops
// any signal PID 1 has no handler for, so without these a `docker stop`, a pod deletion or a
// node drain would wait out the whole grace period and end in SIGKILL. A command that shuts down
// gracefully adds its own listener (see cli/common.ts untilSignal); this one then leaves the
// first signal to it, and a second signal ends the process at once.
const { constants } = require('node:os');
let signalsSeen = 0;
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(sig, () => {
    signalsSeen++;
    if (signalsSeen === 1 && process.listenerCount(sig) > 1) return;
    process.exit(128 + constants.signals[sig]);
  });
}

const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('coda: dist/cli/main.js is missing; run `npm run build` first\n');
  process.exit(1);
}
require(entry).main(process.argv).then((code) => process.exit(code));
