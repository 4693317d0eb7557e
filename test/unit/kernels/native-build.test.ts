import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The install script (plain CommonJS, run by npm before anything is built).
const { haveCblas } = require('../../../native/build.js') as { haveCblas(roots?: string[]): boolean };

const tmp = mkdtempSync(join(tmpdir(), 'coda-native-build-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("native/build.js: finding cblas.h never fails the install", () => {
  it('an image without headers (no include folder at all) has no cblas.h, and the check does not throw', () => {
    expect(haveCblas([join(tmp, 'no-such-include'), join(tmp, 'nor-this')])).toBe(false);
  });

  it('an include root that is a file, or empty, has none either', () => {
    writeFileSync(join(tmp, 'a-file'), '');
    mkdirSync(join(tmp, 'empty'));
    expect(haveCblas([join(tmp, 'a-file'), join(tmp, 'empty')])).toBe(false);
  });

  it("finds it at the root or in Debian's multiarch folder", () => {
    const flat = join(tmp, 'flat');
    mkdirSync(flat);
    writeFileSync(join(flat, 'cblas.h'), '');
    expect(haveCblas([join(tmp, 'missing'), flat])).toBe(true);
    const multiarch = join(tmp, 'multi');
    mkdirSync(join(multiarch, 'x86_64-linux-gnu'), { recursive: true });
    writeFileSync(join(multiarch, 'x86_64-linux-gnu', 'cblas.h'), '');
    expect(haveCblas([multiarch])).toBe(true);
  });
});
