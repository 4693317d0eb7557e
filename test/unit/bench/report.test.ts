import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { delayFloor } from '../../../bench/dask';
import { blasWarnings } from '../../../bench/kernels';
import { BenchRecorder, describeHeader, describeLoad, fmtSpread, spread, type BenchHeader } from '../../../bench/report';
import { Rng } from '../../../shared/random';

describe('bench records', () => {
  it('summarizes a spread as its median with min and max', () => {
    expect(spread([3, 1, 2, 10])).toEqual({ median: 2.5, min: 1, max: 10, n: 4 });
    expect(fmtSpread(spread([1, 2, 4]), 1, ' s')).toBe('2.0 s (1.0–4.0)');
    expect(fmtSpread(null)).toBe('—');
    expect(() => spread([])).toThrow(RangeError);
  });

  it('writes { header, result } with the machine, commit, repeats and the load at start, end and during', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-bench-record-'));
    try {
      const out = join(dir, 'x.json');
      const rec = BenchRecorder.start('x', { repeats: 2, repeatsNote: 'a smoke run', quiet: true });
      const header = rec.finish({ value: 42 }, out);
      const written = JSON.parse(readFileSync(out, 'utf8')) as { header: BenchHeader; result: unknown };
      expect(written.result).toEqual({ value: 42 });
      expect(written.header).toEqual(JSON.parse(JSON.stringify(header)));
      expect(header.bench).toBe('x');
      expect(header.repeats).toBe(2);
      expect(header.machine.cpus).toBeGreaterThanOrEqual(1);
      expect(header.node).toBe(process.version);
      expect(typeof header.commit).toBe('string');
      expect(header.load.start).toHaveLength(3);
      expect(header.load.end).toHaveLength(3);
      expect(header.load.during!.n).toBeGreaterThanOrEqual(2);
      expect(describeHeader(header)).toContain('repeats 2: a smoke run');
      expect(describeLoad(header.load)).toMatch(/^load average \d+\.\d\d → \d+\.\d\d \(/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the dask bench delay floor', () => {
  it('sums each round’s q-th fastest draw (brute force: the q-th smallest by counting)', () => {
    const rng = new Rng(3);
    const delays = Array.from({ length: 20 }, () => Float64Array.from({ length: 8 }, () => Math.floor(rng.uniform() * 5) / 100));
    for (const q of [1, 6, 8]) {
      let expected = 0;
      for (const row of delays.slice(0, 15)) {
        // The q-th smallest: the least value with at least q values at or below it.
        expected += Math.min(...Array.from(row).filter((v) => Array.from(row).filter((w) => w <= v).length >= q));
      }
      expect(delayFloor(delays, 15, q)).toBeCloseTo(expected, 12);
    }
  });
});

describe('the kernels bench BLAS check', () => {
  const openblas = { internal_api: 'openblas', version: '0.3.21', filepath: '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so', num_threads: 1 };
  it('accepts OpenBLAS on one thread, from threadpoolctl or from the mapped libraries', () => {
    expect(blasWarnings({ source: 'threadpoolctl', libraries: [openblas] })).toEqual([]);
    expect(blasWarnings({ source: '/proc/self/maps', libraries: [{ filepath: '/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3' }] })).toEqual([]);
  });
  it('warns on another library, more than one thread, or none found', () => {
    expect(blasWarnings({ source: 'threadpoolctl', libraries: [{ ...openblas, num_threads: 2 }] })).toEqual(["numpy's openblas runs 2 threads, not 1"]);
    expect(blasWarnings({ source: 'threadpoolctl', libraries: [{ internal_api: 'mkl', filepath: '/opt/libmkl_rt.so', num_threads: 1 }] })[0]).toMatch(/not on OpenBLAS/);
    expect(blasWarnings({ source: '/proc/self/maps', libraries: [] })[0]).toMatch(/could not be identified/);
  });
});
