import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expandExperiment, parseExperiment, runExperiment, runPath } from '../../../experiments';
import { InputError } from '../../../shared/errors';
import { fakeExecutor, SMALL } from './fixtures';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'coda-exp-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const exp = () => expandExperiment(parseExperiment(SMALL, 'exp.yaml'), 'exp.yaml');

describe('resumable experiments', () => {
  it('an interrupted experiment, resumed, writes the same runs.csv as an uninterrupted one and reruns only the missing runs', async () => {
    const whole = tmp();
    const calls: string[] = [];
    const full = await runExperiment(exp(), { outDir: whole, executor: async () => fakeExecutor(calls) });
    expect(full.interrupted).toBe(false);
    expect(calls).toHaveLength(12);

    // Interrupt in the middle of the 5th run: 4 finished, the 5th leaves no file.
    const cut = tmp();
    const abort = new AbortController();
    const first: string[] = [];
    const part = await runExperiment(exp(), { outDir: cut, signal: abort.signal, executor: async () => fakeExecutor(first, { abortAfter: 4, abort }) });
    expect(part.interrupted).toBe(true);
    expect(first).toHaveLength(5);
    expect(readdirSync(join(cut, 'runs')).filter((f) => f.endsWith('.json'))).toHaveLength(4);
    expect(existsSync(runPath(cut, first[4]!))).toBe(false);
    expect(readFileSync(join(cut, 'runs.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(1 + 4);
    const kept = statSync(runPath(cut, first[0]!)).mtimeMs;

    const second: string[] = [];
    const resumed = await runExperiment(exp(), { outDir: cut, executor: async () => fakeExecutor(second) });
    expect(resumed).toMatchObject({ interrupted: false, ran: 8, skipped: 4 });
    expect(second).toEqual(exp().runs.map((r) => r.id).slice(4));
    expect(statSync(runPath(cut, first[0]!)).mtimeMs).toBe(kept);
    expect(readFileSync(join(cut, 'runs.csv'), 'utf8')).toBe(readFileSync(join(whole, 'runs.csv'), 'utf8'));
    expect(readFileSync(join(cut, 'summary.csv'), 'utf8')).toBe(readFileSync(join(whole, 'summary.csv'), 'utf8'));

    // Nothing left: no executor is even made.
    const third = await runExperiment(exp(), { outDir: cut, executor: async () => { throw new Error('should not start a cluster'); } });
    expect(third).toMatchObject({ ran: 0, skipped: 12 });
  });

  it('refuses to mix runs made from a different job into the same folder', async () => {
    const out = tmp();
    await runExperiment(exp(), { outDir: out, executor: async () => fakeExecutor([]) });
    const changed = expandExperiment(parseExperiment(SMALL.replace('maxRounds: 50', 'maxRounds: 60'), 'exp.yaml'), 'exp.yaml');
    await expect(runExperiment(changed, { outDir: out, executor: async () => fakeExecutor([]) })).rejects.toThrow(InputError);
  });

  it('names a corrupt run file instead of silently rerunning or skipping it', async () => {
    const out = tmp();
    await runExperiment(exp(), { outDir: out, executor: async () => fakeExecutor([]) });
    writeFileSync(runPath(out, exp().runs[0]!.id), '{ not json');
    await expect(runExperiment(exp(), { outDir: out, executor: async () => fakeExecutor([]) })).rejects.toThrow(/not a run record/);
  });

  it('runs.csv has one row per run with every parameter and outcome column', async () => {
    const out = tmp();
    await runExperiment(exp(), { outDir: out, executor: async () => fakeExecutor([]) });
    const [head, ...rows] = readFileSync(join(out, 'runs.csv'), 'utf8').trimEnd().split('\n');
    expect(head!.split(',')).toEqual(expect.arrayContaining([
      'run_id', 'scheme', 'chaos', 'workers', 'seed', 'rounds', 'wall_seconds', 'final_error', 'time_to_1e-2', 'time_to_1e-4',
      'straggler_tax', 'stragglers_cut_off', 'bytes_placed',
    ]));
    expect(rows).toHaveLength(12);
    expect(rows[0]).toMatch(/^least-squares_wait-all_none_w4_s1,/);
  });
});
