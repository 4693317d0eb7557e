import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadJobFile, parseJob } from '../../../master';
import { InputError } from '../../../shared/errors';

const tmp = mkdtempSync(join(tmpdir(), 'coda-job-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ISSUE_EXAMPLE = `
job: least-squares
data: { synthetic: { kind: student-t, rows: 2000, cols: 40, seed: 1 } }
scheme: { name: wait-all }
workers: 8
chaos: { delay: { dist: shifted-exponential, shift: 0.005, rate: 200 }, seed: 7 }
stop: { tol: 1e-10, maxRounds: 5000, timeLimit: 60 }
out: out/ls
`;

describe('job files', () => {
  it("parses the issue's example shape with defaults filled in", () => {
    const job = parseJob(ISSUE_EXAMPLE);
    expect(job.job).toBe('least-squares');
    expect(job.workers).toBe(8);
    expect(job.chaos.delay).toEqual({ dist: 'shifted-exponential', shift: 0.005, rate: 200 });
    expect(job.chaos.fault).toEqual({ dropProbability: 0, hangProbability: 0, crashAfterTasks: 0 });
    if (job.job === 'least-squares') expect(job.step).toBe('line-search');
  });

  const bad: [string, string, RegExp][] = [
    ['unknown top-level key', ISSUE_EXAMPLE + 'colour: blue\n', /\(top level\): unknown key 'colour'/],
    ['unknown nested key', ISSUE_EXAMPLE.replace('maxRounds: 5000', 'maxRounds: 5000, tolerance: 1'), /stop: unknown key 'tolerance'/],
    ['wrong type', ISSUE_EXAMPLE.replace('workers: 8', 'workers: eight'), /workers: Expected number, received string/],
    ['bad distribution', ISSUE_EXAMPLE.replace('shifted-exponential', 'gamma'), /chaos.delay.dist: Invalid discriminator value/],
    ['missing data', 'job: least-squares\n', /data: Required/],
    ['unknown job kind', ISSUE_EXAMPLE.replace('job: least-squares', 'job: fourier'), /job: Invalid discriminator value. Expected 'least-squares'/],
    ['not a mapping', '- 1\n- 2\n', /must be a YAML mapping/],
    ['broken YAML', 'job: [least-squares\n', /not valid YAML/],
  ];
  for (const [what, text, re] of bad) {
    it(`names the problem: ${what}`, () => {
      let err: unknown;
      try {
        parseJob(text, 'job.yaml');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).exitCode).toBe(2);
      expect((err as Error).message).toMatch(re);
    });
  }

  it('a missing data file is named by its key', () => {
    const p = join(tmp, 'j.yaml');
    writeFileSync(p, 'job: least-squares\ndata: { A: nowhere/A.npy, b: nowhere/b.npy }\n');
    expect(() => loadJobFile(p, tmp)).toThrow(/data.A: file not found: nowhere\/A.npy/);
  });
});
