import { describe, expect, it } from 'vitest';
import { expandExperiment, parseExperiment } from '../../../experiments';
import { InputError } from '../../../shared/errors';
import { SMALL } from './fixtures';

const expand = (text: string) => expandExperiment(parseExperiment(text, 'exp.yaml'), 'exp.yaml');

function inputError(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).exitCode).toBe(2);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('experiment matrix expansion', () => {
  it('makes one run per combination, seeds outermost, schemes innermost, with the substitutions applied', () => {
    const exp = expand(SMALL);
    expect(exp.runs).toHaveLength(2 * 2 * 3);
    expect(exp.runs.slice(0, 4).map((r) => r.id)).toEqual([
      'least-squares_wait-all_none_w4_s1',
      'least-squares_frc-stragglers1_none_w4_s1',
      'least-squares_wait-all_lambda-tail_w4_s1',
      'least-squares_frc-stragglers1_lambda-tail_w4_s1',
    ]);
    const r = exp.runs[3]!;
    expect(r.job.job === 'least-squares' && r.job.scheme).toEqual({ name: 'frc', stragglers: 1 });
    expect(r.job.chaos.delay).toEqual({ dist: 'lambda-tail', base: 0.01 });
    expect(r.job.chaos.seed).toBe(1);
    expect(r.job.seed).toBe(1);
    expect(r.job.workers).toBe(4);
    expect(exp.runs[11]!.job.seed).toBe(3);
    expect(new Set(exp.runs.map((x) => x.id)).size).toBe(exp.runs.length);
    expect(exp.baseline).toBe('none');
  });

  it('merges named algorithm variants onto the base job and varies worker counts', () => {
    const exp = expand(SMALL.replace('  workers: [4]', '  workers: [2, 4]\n  algorithms:\n    ls-fixed: { step: 0.001 }\n    ls-exact: {}'));
    expect(exp.runs).toHaveLength(2 * 2 * 3 * 2 * 2);
    const fixed = exp.runs.find((r) => r.params.algorithm === 'ls-fixed' && r.params.workers === 2)!;
    expect(fixed.job.job === 'least-squares' && fixed.job.step).toBe(0.001);
    expect(fixed.job.stop.maxRounds).toBe(50);
  });

  it('names an unknown key of the experiment file, the matrix and a chaos profile', () => {
    expect(inputError(() => expand(SMALL + 'colour: red\n')).message).toMatch(/\(top level\): unknown key 'colour'/);
    expect(inputError(() => expand(SMALL.replace('  seeds: [1, 2, 3]', '  seed: [1]'))).message).toMatch(/matrix: unknown key 'seed'/);
    const bad = SMALL.replace('lambda-tail, base: 0.01', 'lambda-tail, bass: 0.01');
    expect(inputError(() => expand(bad)).message).toMatch(/matrix\.chaos\.lambda-tail\.delay/);
  });

  it("names a bad key inside the base job, as the job schema sees it", () => {
    const e = inputError(() => expand(SMALL.replace('stop: { tol', 'stop: { tolerance: 1, tol')));
    expect(e.message).toMatch(/stop: unknown key 'tolerance'/);
    expect(e.message).toMatch(/first in run least-squares_wait-all_none_w4_s1/);
  });

  it('refuses base keys that the matrix or the experiment owns', () => {
    expect(inputError(() => expand(SMALL.replace('  job: least-squares', '  job: least-squares\n  seed: 3'))).message).toMatch(/base\.seed: set matrix\.seeds/);
    expect(inputError(() => expand(SMALL.replace('  job: least-squares', '  job: least-squares\n  out: x'))).message).toMatch(/base\.out/);
    expect(inputError(() => expand(SMALL + 'baseline: calm\n')).message).toMatch(/baseline: 'calm' is not one of the chaos profiles/);
    expect(inputError(() => expand(SMALL.replace('[wait-all, { name: frc, stragglers: 1 }]', '[wait-all, wait-all]'))).message).toMatch(/scheme 'wait-all' appears twice/);
  });

  it('takes scheme and chaos from the base job when the matrix has none', () => {
    const exp = expand(`
base:
  job: least-squares
  data: { synthetic: { kind: gaussian, rows: 50, cols: 3 } }
  scheme: { name: frc, stragglers: 1 }
  workers: 4
  chaos: { delay: { dist: constant, value: 0.001 } }
`);
    expect(exp.runs.map((r) => r.id)).toEqual(['least-squares_frc-stragglers1_base_w4_s1']);
    expect(exp.baseline).toBeUndefined();
  });
});
