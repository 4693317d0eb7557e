import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../shared/errors';
import { formatNpy, loadMatrix, parseCsv, parseNpy, readNpy, writeNpy } from '../../../shared/tensor';

const fixtures = join(__dirname, '../../fixtures');
const tmp = mkdtempSync(join(tmpdir(), 'coda-npy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function numpyAvailable(): boolean {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('.npy', () => {
  it('reads what numpy.save wrote (committed fixtures)', () => {
    const a = readNpy(join(fixtures, 'numpy-3x2.npy'));
    expect(a.shape).toEqual([3, 2]);
    expect(Array.from(a.data)).toEqual([0, 1, 2, 3, 4, 5].map((v) => v / 7));
    const v = readNpy(join(fixtures, 'numpy-vec5.npy'));
    expect(v.shape).toEqual([5]);
    expect(Array.from(v.data)).toEqual([1.5, -2.0, 3.25, 1e-300, 1e300]);
  });

  it('round-trips through its own writer byte for byte like numpy', () => {
    const buf = readFileSync(join(fixtures, 'numpy-3x2.npy'));
    const a = parseNpy(buf);
    expect(formatNpy(a.shape, a.data).equals(buf)).toBe(true);
  });

  it.skipIf(!numpyAvailable())('writes files numpy reads back exactly', () => {
    const p = join(tmp, 'x.npy');
    const data = Float64Array.from([Math.PI, -0, 1e-310, 12345.678, -1 / 3, 2]);
    writeNpy(p, [2, 3], data);
    const out = execFileSync('python3', ['-c', `import numpy as np; a=np.load(${JSON.stringify(p)}); print(a.shape, a.dtype, repr(a.tolist()))`]).toString();
    expect(out.trim()).toBe(`(2, 3) float64 [[${Math.PI}, -0.0, 1e-310], [12345.678, -0.3333333333333333, 2.0]]`);
  });

  it('refuses float32, Fortran order, truncation and non-npy bytes with messages that name the problem', () => {
    expect(() => readNpy(join(fixtures, 'numpy-f32.npy'))).toThrow(/expected float64.*'<f4'/);
    expect(() => readNpy(join(fixtures, 'numpy-fortran.npy'))).toThrow(/Fortran/);
    const good = readFileSync(join(fixtures, 'numpy-3x2.npy'));
    expect(() => parseNpy(good.subarray(0, good.length - 8), 'cut.npy')).toThrow(/cut.npy: shape \(3, 2\) needs 48 data bytes, file has 40/);
    expect(() => parseNpy(Buffer.from('hello world, not numpy'), 'x')).toThrow(InputError);
  });

  it('loadMatrix rejects NaN with its position', () => {
    const p = join(tmp, 'nan.npy');
    writeNpy(p, [2, 2], Float64Array.from([1, 2, NaN, 4]));
    expect(() => loadMatrix(p)).toThrow(/contains NaN at row 1, column 0/);
  });
});

describe('.csv', () => {
  it('parses numbers, skips comments and a header, and names a bad cell', () => {
    const m = parseCsv('# comment\na,b\n1, 2\n3,4.5\n\n');
    expect([m.rows, m.cols, Array.from(m.data)]).toEqual([2, 2, [1, 2, 3, 4.5]]);
    expect(() => parseCsv('1,2\n3,x\n', 'f.csv')).toThrow('f.csv:2: column 2 is not a number');
    expect(() => parseCsv('1,2\n3\n', 'f.csv')).toThrow('f.csv:2: expected 2 values, got 1');
  });

  it('loadMatrix reads a csv file', () => {
    const p = join(tmp, 'a.csv');
    writeFileSync(p, '1,2,3\n4,5,6\n');
    const m = loadMatrix(p);
    expect([m.rows, m.cols]).toEqual([2, 3]);
  });
});
