import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDelaySampler, makeTraceSampler, parseDelayTrace, readDelayTrace, traceStreamFor } from '../../shared/chaos';
import { InputError } from '../../shared/errors';
import { Rng } from '../../shared/random';

function draws(sample: () => number, n: number): number[] {
  return Array.from({ length: n }, sample);
}

describe('delay traces', () => {
  it('reads a header, comments, one column per worker, CRLF and a trailing newline', () => {
    const t = parseDelayTrace('# made by hand\r\nw0, w1\r\n0.1,0.2\r\n0.3 ,0.4\r\n\r\n', 'times.csv');
    expect(t.columns).toEqual(['w0', 'w1']);
    expect(t.values.map((v) => Array.from(v))).toEqual([
      [0.1, 0.3],
      [0.2, 0.4],
    ]);
    const bare = parseDelayTrace('1e-3\n2e-3\n0\n');
    expect(bare.columns).toEqual(['column0']);
    expect(Array.from(bare.values[0]!)).toEqual([0.001, 0.002, 0]);
  });

  it.each([
    ['a negative time', 'w0,w1\n0.1,0.2\n0.1,-0.2\n', /times\.csv line 3, column 2 \(w1\): negative time -0\.2/],
    ['a non-numeric cell', 'w0,w1\n0.1,0.2\nslow,0.2\n', /times\.csv line 3, column 1 \(w0\): not a finite number: "slow"/],
    ['an empty cell', '0.1,0.2\n0.3,\n', /times\.csv line 2, column 2 \(column1\): empty cell/],
    ['a short row', 'w0,w1,w2\n0.1,0.2,0.3\n0.1,0.2\n', /times\.csv line 3: 2 cells, expected 3/],
    ['a blank line inside', '0.1\n\n0.2\n', /times\.csv line 2: empty line inside the data/],
    ['an infinite value', '0.1\nInfinity\n', /times\.csv line 2, column 1 \(column0\): not a finite number/],
    ['a header only', '# nothing\nw0,w1\n', /times\.csv: no task times/],
    ['a repeated column name', 'w0,w0\n1,2\n', /times\.csv line 1: header repeats/],
  ])('rejects %s with an InputError naming the line and column', (_, text, message) => {
    expect(() => parseDelayTrace(text, 'times.csv')).toThrow(InputError);
    expect(() => parseDelayTrace(text, 'times.csv')).toThrow(message);
  });

  it('names a missing file', () => {
    expect(() => readDelayTrace('/nonexistent/times.csv')).toThrow(/delay trace \/nonexistent\/times\.csv: cannot read it/);
    const dir = mkdtempSync(join(tmpdir(), 'coda-trace-'));
    writeFileSync(join(dir, 't.csv'), '0.5\n0.25\n');
    expect(Array.from(readDelayTrace(join(dir, 't.csv')).values[0]!)).toEqual([0.5, 0.25]);
  });

  it('replays each worker’s column in order, wrapping, scaled', () => {
    const t = parseDelayTrace('w0,w1\n1,10\n2,20\n3,30\n');
    expect(draws(makeTraceSampler(t, 0, 2, new Rng(1), { scale: 0.5 }), 4)).toEqual([0.5, 1, 1.5, 0.5]);
    expect(draws(makeTraceSampler(t, 1, 2, new Rng(1)), 3)).toEqual([10, 20, 30]);
  });

  it('staggers workers that share a column so they do not move in lockstep', () => {
    const t = parseDelayTrace('1\n2\n3\n4\n5\n6\n7\n8\n');
    const firsts = [0, 1, 2, 3].map((w) => makeTraceSampler(t, w, 4, new Rng(1))());
    expect(firsts).toEqual([1, 3, 5, 7]);
    // Two columns, four workers: workers 0 and 2 share column 0, starting half-way apart.
    const two = parseDelayTrace('1,10\n2,20\n3,30\n4,40\n');
    expect([0, 1, 2, 3].map((w) => makeTraceSampler(two, w, 4, new Rng(1))())).toEqual([1, 10, 3, 30]);
  });

  it('resamples with the seed: repeatable, and every value of the column drawn about equally often', () => {
    const t = parseDelayTrace('1\n2\n3\n4\n');
    const a = draws(makeTraceSampler(t, 0, 1, new Rng(5), { mode: 'resample' }), 4000);
    expect(draws(makeTraceSampler(t, 0, 1, new Rng(5), { mode: 'resample' }), 4000)).toEqual(a);
    for (const v of [1, 2, 3, 4]) {
      const n = a.filter((x) => x === v).length;
      expect(Math.abs(n - 1000)).toBeLessThan(4 * Math.sqrt(4000 * 0.25 * 0.75));
    }
    expect(() => makeTraceSampler(t, 0, 1, new Rng(5), { scale: 0 })).toThrow(InputError);
    expect(() => makeTraceSampler(t, 0, 1, new Rng(5), { mode: 'shuffle' as 'replay' })).toThrow(InputError);
  });
});

describe('the shipped traces', () => {
  it.each([
    ['examples/traces/local-load.csv', 8, 400],
    ['examples/traces/container-bandwidth.csv', 4, 300],
  ])('%s reads back: %i workers × %i rounds of positive times', (file, workers, rounds) => {
    const t = readDelayTrace(join(__dirname, '../..', file));
    expect(t.columns).toEqual(Array.from({ length: workers }, (_, w) => `worker${w}`));
    for (const col of t.values) {
      expect(col.length).toBe(rounds);
      expect(Math.min(...col)).toBeGreaterThan(0);
    }
  });

  it('each worker’s stream (what the master sends it) samples as makeTraceSampler does', () => {
    const t = parseDelayTrace('w0,w1\n1,10\n2,20\n3,30\n4,40\n');
    for (const mode of ['replay', 'resample'] as const) {
      for (let w = 0; w < 5; w++) {
        const stream = traceStreamFor(t, w, 5);
        const viaStream = makeDelaySampler({ dist: 'trace', mode, scale: 0.5, stream }, new Rng(w));
        expect(draws(viaStream, 9)).toEqual(draws(makeTraceSampler(t, w, 5, new Rng(w), { mode, scale: 0.5 }), 9));
      }
    }
    // Workers 0, 2 and 4 share column w0 and start a third of the way apart.
    expect([0, 2, 4].map((w) => traceStreamFor(t, w, 5).start)).toEqual([0, 1, 2]);
    expect(() => makeDelaySampler({ dist: 'trace', file: 'times.csv' }, new Rng(1))).toThrow(/the master reads times\.csv/);
  });
});
