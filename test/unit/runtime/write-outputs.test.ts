import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JsonlFile, writeJobOutputs } from '../../../master/jobs';
import { formatResultJson } from '../../../master/state/job-output';

const tmp = mkdtempSync(join(tmpdir(), 'coda-out-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('job outputs', () => {
  it('result.json reads back as the result; a history is one record a line', () => {
    const result = { job: 'x', n: 3, ratio: 0.5, none: null, skip: undefined, nested: { a: [1, 2, 3], b: 'c' }, history: [{ round: 1, arrivals: [{ worker: 0, seconds: 0.1 }] }, { round: 2, arrivals: [] }], empty: [], obj: {} };
    const text = formatResultJson(result);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(result)));
    expect(text).toContain('\n    {"round":1,"arrivals":[{"worker":0,"seconds":0.1}]},\n    {"round":2,"arrivals":[]}\n  ]');
    expect(text).toContain('"a": [1,2,3]');
  });

  it('the streamed history is moved into place beside the tensors, result.json last; a failed one leaves nothing', () => {
    const log = new JsonlFile(join(tmp, '.history.partial'));
    for (let r = 1; r <= 3; r++) log.append({ round: r });
    log.close();
    const written = writeJobOutputs(join(tmp, 'out'), { result: { ok: true }, tensors: { 'x.npy': { shape: [2], values: Float64Array.of(1, 2) } }, history: { path: log.path, rounds: 3 } });
    expect(written.map((p) => p.replace(`${tmp}/out/`, ''))).toEqual(['x.npy', 'history.jsonl', 'result.json']);
    expect(readFileSync(join(tmp, 'out', 'history.jsonl'), 'utf8')).toBe('{"round":1}\n{"round":2}\n{"round":3}\n');
    expect(existsSync(log.path)).toBe(false);
    const failed = new JsonlFile(join(tmp, '.failed.partial'));
    failed.append({ round: 1 });
    failed.discard();
    expect(existsSync(failed.path)).toBe(false);
  });
});
