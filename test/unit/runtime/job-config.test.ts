import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadJobFile, parseJob } from '../../../master';
import { InputError } from '../../../shared/errors';
import { parseYaml } from '../../../shared/config';
import { parseExperiment } from '../../../experiments/load';

const tmp = mkdtempSync(join(tmpdir(), 'coda-job-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Five lines, 9⁵ = 59049 strings once expanded ("billion laughs"); the yaml library stops it at its alias limit. */
const ALIAS_BOMB = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
job: least-squares
`;

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
    ['a duplicate key', ISSUE_EXAMPLE + 'workers: 9\n', /^job\.yaml: not valid YAML: Map keys must be unique/],
    ['an alias bomb', ALIAS_BOMB, /^job\.yaml: refused: its YAML aliases expand to more than 100 nodes \(Excessive alias count/],
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

  it('a few aliases, as a user writes them, are fine', () => {
    expect(parseYaml('base: &b { rows: 2, cols: 3 }\nother: *b\nthird: *b\n', 'f.yaml')).toEqual({ base: { rows: 2, cols: 3 }, other: { rows: 2, cols: 3 }, third: { rows: 2, cols: 3 } });
    const job = parseJob(ISSUE_EXAMPLE.replace('workers: 8', 'workers: &n 8').replace('seed: 7', 'seed: *n'));
    expect(job.chaos.seed).toBe(8);
  });

  it('every YAML reader turns the library\'s refusals into an InputError naming the file', () => {
    for (const parse of [(t: string) => parseYaml(t, 'f.yaml'), (t: string) => parseExperiment(t, 'f.yaml'), (t: string) => parseJob(t, 'f.yaml')]) {
      for (const text of [ALIAS_BOMB, 'a: [1\n', 'a: 1\na: 2\n']) {
        expect(() => parse(text)).toThrow(InputError);
        expect(() => parse(text)).toThrow(/^f\.yaml: [^\n]*$/);
      }
    }
  });

  it('a missing data file is named by its key', () => {
    const p = join(tmp, 'j.yaml');
    writeFileSync(p, 'job: least-squares\ndata: { A: nowhere/A.npy, b: nowhere/b.npy }\n');
    expect(() => loadJobFile(p, tmp)).toThrow(/data.A: file not found: nowhere\/A.npy/);
  });
});
