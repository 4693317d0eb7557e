import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { JOB_KINDS, jobSchema, parseJob } from '../../../master';
import { loadExperimentFile, expandExperiment } from '../../../experiments';

const ROOT = join(__dirname, '..', '..', '..');

describe('job kinds: one folder each, one table', () => {
  it('the table and the job union name the same kinds', () => {
    const union = jobSchema.options.map((o) => o.shape.job.value).sort();
    expect(Object.keys(JOB_KINDS).sort()).toEqual(union);
  });

  for (const [kind, mod] of Object.entries(JOB_KINDS)) {
    it(`${kind}: its example file exists and is valid (a job of this kind, or an experiment over one)`, () => {
      // The schema only: an example may read data the user makes first (examples/least-squares.yaml).
      const path = join(ROOT, mod.example);
      expect(existsSync(path), mod.example).toBe(true);
      const raw = parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
      if ('base' in raw) {
        const exp = expandExperiment(loadExperimentFile(path), path, ROOT);
        expect(exp.runs.some((r) => r.job.job === kind)).toBe(true);
      } else {
        expect(parseJob(readFileSync(path, 'utf8'), path).job).toBe(kind);
      }
    });
  }

  it('stop.tol means the relative gradient norm wherever it is accepted; logistic regression names its absolute one stop.gradNorm', () => {
    const ls = parseJob('job: least-squares\ndata: { synthetic: { kind: gaussian, rows: 10, cols: 2 } }\nstop: { tol: 1e-6 }\n');
    expect(ls.job === 'least-squares' && ls.stop.tol).toBe(1e-6);
    expect(() => parseJob('job: logistic-regression\ndata: { synthetic: { rows: 10, cols: 2 } }\nstop: { tol: 1e-8 }\n')).toThrow(/use stop.gradNorm/);
    const lr = parseJob('job: logistic-regression\ndata: { synthetic: { rows: 10, cols: 2 } }\nstop: { gradNorm: 1e-7 }\n');
    expect(lr.job === 'logistic-regression' && lr.stop.gradNorm).toBe(1e-7);
    // Kinds that never stop on a gradient refuse the key rather than ignore it.
    expect(() => parseJob('job: kernel-regression\ndata: { synthetic: { kind: regression, rows: 10, cols: 3 } }\nkernel: { name: gaussian, bandwidth: 1 }\nstop: { tol: 1e-8 }\n')).toThrow(/stop: unknown key 'tol'/);
  });
});
