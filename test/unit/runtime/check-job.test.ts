import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkJob, jobFrom, type JobSpec } from '../../../master';
import { InputError } from '../../../shared/errors';
import { formatNpy } from '../../../shared/tensor';

const tmp = mkdtempSync(join(tmpdir(), 'coda-check-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A .npy file whose header says `shape`, with the data bytes it needs (zeros). */
function npy(name: string, shape: number[]): string {
  const p = join(tmp, name);
  writeFileSync(p, formatNpy(shape, new Float64Array(shape.reduce((a, b) => a * b, 1))));
  return p;
}

const ls = (extra: Record<string, unknown>): JobSpec => jobFrom({ job: 'least-squares', data: { synthetic: { kind: 'gaussian', rows: 400, cols: 10 } }, ...extra });

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).exitCode).toBe(2);
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('checkJob: one validation path before anything starts', () => {
  it('accepts a sound job and reports its footprint', () => {
    const r = checkJob(ls({ scheme: { name: 'frc', stragglers: 1 } }), 8, { local: true });
    expect(r.footprint.what).toBe('A 400×10');
    expect(r.bytes).toBeGreaterThan(8 * 400 * 10);
  });

  it('refuses chaos aimed at a worker the job does not have (it would apply to no one)', () => {
    expect(refusal(() => checkJob(ls({ workers: 2, chaos: { delay: { dist: 'constant', value: 0.1 }, workers: [99] } }), 2))).toBe('chaos.workers: worker 99 does not exist (the job has 2: 0..1)');
    expect(refusal(() => checkJob(ls({ chaos: { schedule: ['at round 3 pause worker 2 for 1s'] } }), 2))).toMatch(/^chaos\.schedule: worker 2 does not exist \(the job has 2: 0\.\.1\)$/);
    expect(refusal(() => checkJob(ls({ chaos: { schedule: ['at round 3 set delay constant value 100ms on workers 0-2'] } }), 2))).toMatch(/chaos\.schedule: worker 2 does not exist/);
    expect(() => checkJob(ls({ chaos: { workers: [0, 1], schedule: ['at round 3 pause worker 1 for 1s'] } }), 2)).not.toThrow();
  });

  const schemeCases: [string, Record<string, unknown>, number, RegExp][] = [
    ['frc s ≥ N', { name: 'frc', stragglers: 4 }, 4, /stragglers = 4 needs more than 4 workers/],
    ['replication r > N', { name: 'replication', r: 5 }, 4, /r = 5 copies need at least 5 workers/],
    ['ignore-stragglers q > K', { name: 'ignore-stragglers', q: 9 }, 8, /q = 9 is more than the 8 blocks/],
    ['mds k ≠ blocks', { name: 'mds', k: 3 }, 8, /k = 3 but the job has 5 blocks/],
    ['leverage q > slots', { name: 'leverage', q: 50, slots: 16 }, 8, /q = 50 must be between 1 and the 16 slots/],
    ['an unknown key', { name: 'wait-all', q: 2 }, 8, /scheme wait-all: unknown key 'q' \(known: none\)/],
    ['a bad value', { name: 'speculative', quantile: 2 }, 8, /scheme speculative: quantile must be a number in \(0, 1\], got 2/],
    ['an unknown scheme', { name: 'raid5' }, 8, /unknown scheme 'raid5'/],
  ];
  for (const [what, scheme, workers, re] of schemeCases) {
    it(`refuses the scheme's parameters against the workers: ${what}`, () => {
      expect(refusal(() => checkJob(ls({ scheme, ...(scheme.name === 'mds' ? { blocks: 5 } : {}) }), workers))).toMatch(re);
    });
  }

  it('reads data shapes from .npy headers: b against A, rows against columns', () => {
    const A = npy('A.npy', [30, 4]);
    expect(checkJob(jobFrom({ job: 'least-squares', data: { A, b: npy('b.npy', [30]) } }), 4).footprint.what).toBe('A 30×4');
    expect(refusal(() => checkJob(jobFrom({ job: 'least-squares', data: { A, b: npy('b29.npy', [29]) } }), 4))).toMatch(/A has 30 rows but b has 29 values/);
    expect(refusal(() => checkJob(jobFrom({ job: 'least-squares', data: { A: npy('wide.npy', [3, 5]), b: npy('b3.npy', [3]) } }), 2))).toMatch(/rows ≥ columns/);
    expect(refusal(() => checkJob(jobFrom({ job: 'least-squares', data: { A: npy('cube.npy', [2, 2, 2]), b: npy('b2.npy', [2]) } }), 2))).toMatch(/1-D or 2-D/);
    const truncated = join(tmp, 'short.npy');
    writeFileSync(truncated, formatNpy([4, 4], new Float64Array(16)).subarray(0, 150));
    expect(refusal(() => checkJob(jobFrom({ job: 'least-squares', data: { A: truncated, b: npy('b4.npy', [4]) } }), 2))).toMatch(/needs 128 data bytes, file has/);
  });

  it('refuses a problem larger than the memory, with a message about memory', () => {
    const huge = ls({ data: { synthetic: { kind: 'gaussian', rows: 1e9, cols: 40 } } });
    expect(refusal(() => checkJob(huge, 8, { local: true }))).toMatch(/A 1000000000×40 needs about .* of memory .* available/);
    // Submitted elsewhere, the memory is the master's: not judged here.
    expect(() => checkJob(huge, 8, { here: false })).not.toThrow();
  });

  it('more blocks than rows, and a kind’s own rules', () => {
    expect(refusal(() => checkJob(ls({ blocks: 500 }), 8))).toMatch(/500 blocks but only 400 rows/);
    const inv = jobFrom({ job: 'inverse', data: { A: npy('rect.npy', [6, 4]) }, scheme: { name: 'frc', stragglers: 1 } });
    expect(refusal(() => checkJob(inv, 4))).toMatch(/A must be square, got 6×4/);
    const kr = jobFrom({ job: 'kernel-regression', data: { synthetic: { kind: 'regression', rows: 20, cols: 3 } }, kernel: { name: 'gaussian', bandwidth: 1 } });
    expect(refusal(() => checkJob(kr, 16))).toMatch(/16 training points cannot be split among 16 workers/);
    const lr = jobFrom({ job: 'logistic-regression', data: { synthetic: { rows: 200, cols: 10 } }, solver: 'newton', hessian: { scheme: { name: 'frc', stragglers: 1 } } });
    expect(refusal(() => checkJob(lr, 4))).toMatch(/hessian.scheme must be one of speculative, wait-all/);
    const sd = jobFrom({ job: 'straggler-showdown', data: { synthetic: { kind: 'gaussian', rows: 400, cols: 10 } }, approximate: { slots: 4, answers: 6 } });
    expect(refusal(() => checkJob(sd, 4))).toMatch(/approximate.answers = 6 is more than its 4 slots/);
  });
});
