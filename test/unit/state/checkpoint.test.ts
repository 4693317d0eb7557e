import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../../../shared/log';
import {
  checkFingerprints,
  decodeCheckpoint,
  decodeState,
  encodeCheckpoint,
  encodeState,
  fingerprint,
  CheckpointLog,
  JobCheckpoint,
  JobStateDir,
  readCheckpoint,
  writeCheckpoint,
  type CheckpointData,
} from '../../../master/state';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'coda-state-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const log = createLogger('test');

function sample(round: number): CheckpointData {
  return {
    kind: 'least-squares',
    version: 1,
    round,
    historyCount: 0,
    historyBytes: 0,
    sessionRounds: round,
    savedAt: '2026-11-30T00:00:00.000Z',
    restarts: [],
    state: { x: Float64Array.from([1.5, -0, Number.MIN_VALUE, 1 / 3]), best: NaN, inf: -Infinity, nested: [{ a: new Float64Array(3) }], s: 'text' },
  };
}

describe('the state codec', () => {
  it('keeps every double bit for bit, NaN and ±Infinity included, inline or in a binary section', () => {
    const v = { x: Float64Array.from([0.1, -0, 5e-324, Number.MAX_VALUE, NaN]), y: [NaN, Infinity, -Infinity, 1], z: null, w: 'a', t: true };
    for (const arrays of [undefined, [] as Float64Array[]]) {
      const json = encodeState(v, arrays);
      const back = decodeState(json, arrays) as typeof v;
      expect(Buffer.from(back.x.buffer).equals(Buffer.from(v.x.buffer))).toBe(true);
      expect(back.y).toEqual([NaN, Infinity, -Infinity, 1]);
      expect(Object.is(back.x[1], -0)).toBe(true);
      expect(back).toMatchObject({ z: null, w: 'a', t: true });
    }
  });

  it('refuses typed arrays other than Float64Array rather than save them wrong', () => {
    expect(() => encodeState({ a: new Float32Array(2) })).toThrow(/only Float64Array/);
  });
});

describe('checkpoint files', () => {
  it('round-trip and are refused whole when cut short, damaged or foreign', () => {
    const bytes = Buffer.concat(encodeCheckpoint(sample(7)));
    const back = decodeCheckpoint(bytes);
    expect(back.round).toBe(7);
    const st = back.state as { x: Float64Array; best: number; nested: { a: Float64Array }[] };
    expect([...st.x]).toEqual([1.5, -0, Number.MIN_VALUE, 1 / 3]);
    expect(st.best).toBeNaN();
    expect(st.nested[0]!.a).toBeInstanceOf(Float64Array);
    // Every proper prefix is refused (a torn write is never half-read).
    for (const cut of [0, 8, 12, 40, bytes.byteLength - 33, bytes.byteLength - 1]) expect(() => decodeCheckpoint(bytes.subarray(0, cut))).toThrow();
    // One flipped bit anywhere is refused.
    for (const at of [10, 50, bytes.byteLength - 40, bytes.byteLength - 5]) {
      const bad = Buffer.from(bytes);
      bad[at]! ^= 1;
      expect(() => decodeCheckpoint(bad)).toThrow(/checksum|magic/);
    }
    expect(() => decodeCheckpoint(Buffer.from('{"round": 1}'))).toThrow(/magic/);
  });

  it('are replaced atomically: the old one stays until the new one is complete, no temporary file left', () => {
    const dir = tempDir();
    const f = join(dir, 'checkpoint.bin');
    writeCheckpoint(f, sample(1));
    writeCheckpoint(f, sample(2));
    expect(readCheckpoint(f).round).toBe(2);
    expect(readdirSync(dir)).toEqual(['checkpoint.bin']);
  });
});

describe('the history log', () => {
  it('appends lines and, opened at a checkpoint, keeps exactly the lines it covers', () => {
    const dir = tempDir();
    const f = join(dir, 'history.jsonl');
    const { log: h } = CheckpointLog.open(f);
    h.append([{ round: 1, v: NaN }, { round: 2, v: 0.5 }]);
    h.sync();
    const at = { count: h.count, bytes: h.bytes };
    h.append([{ round: 3, v: 0.25 }]);
    h.close();
    // A crash after round 3 was written but before a checkpoint covered it: round 3 is dropped.
    appendFileSync(f, '{"torn":');
    const { log: again, records } = CheckpointLog.open(f, at);
    expect(records).toEqual([{ round: 1, v: NaN }, { round: 2, v: 0.5 }]);
    again.append([{ round: 3, v: 0.125 }]);
    again.close();
    expect(readFileSync(f, 'utf8').trim().split('\n')).toHaveLength(3);
    expect(() => CheckpointLog.open(f, { count: 5, bytes: 10_000 })).toThrow(/fewer lines/);
  });
});

describe('a job checkpoint', () => {
  const schema = z.object({ round: z.number(), x: z.instanceof(Float64Array) });
  type H = { round: number };

  it('restores the last saved state and the history it covers; a restart is recorded with the rounds redone', () => {
    const dir = tempDir();
    const first = new JobCheckpoint(dir, 'least-squares', log, false, { everySeconds: 3600, everyRounds: 2 });
    const k = first.open<{ round: number; x: Float64Array }, H>({ version: 1, state: schema });
    expect(k.restored).toBeUndefined();
    const history: H[] = [];
    for (let r = 1; r <= 5; r++) {
      history.push({ round: r });
      k.offer(r, () => ({ round: r, x: Float64Array.from([r, r / 3]) }), history);
    }
    // Saved at rounds 2 and 4; round 5's line was written, no checkpoint covers it.
    const second = new JobCheckpoint(dir, 'least-squares', log, true);
    expect(second.savedRound).toBe(4);
    expect(second.savedSessionRounds).toBe(0);
    const k2 = second.open<{ round: number; x: Float64Array }, H>({ version: 1, state: schema });
    expect(k2.restored?.round).toBe(4);
    expect([...k2.restored!.state.x]).toEqual([4, 4 / 3]);
    expect(k2.restored?.history).toEqual([1, 2, 3, 4].map((round) => ({ round })));
    expect(second.restarts).toMatchObject([{ resumedFromRound: 4, roundsRedone: 1 }]);
    expect(k2.restarts).toBe(second.restarts);
  });

  it('starts over, loudly, from a checkpoint of another kind or version, or one that does not parse', () => {
    const dir = tempDir();
    new JobCheckpoint(dir, 'least-squares', log, false, { everySeconds: 0, everyRounds: 1 }).open({ version: 1, state: schema }).save(3, { round: 3, x: new Float64Array(2) }, []);
    expect(new JobCheckpoint(dir, 'least-squares', log, true).open({ version: 2, state: schema }).restored).toBeUndefined();
    expect(new JobCheckpoint(dir, 'logistic-regression', log, true).open({ version: 1, state: schema }).restored).toBeUndefined();
    expect(new JobCheckpoint(dir, 'least-squares', log, true).open({ version: 1, state: z.object({ w: z.number() }) }).restored).toBeUndefined();
    const fresh = new JobCheckpoint(dir, 'least-squares', log, true);
    expect(fresh.open({ version: 1, state: schema }).restored?.round).toBe(3);
  });

  it('a damaged checkpoint means a fresh start, recorded as a restart from round 0', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'checkpoint.bin'), 'garbage');
    const ck = new JobCheckpoint(dir, 'least-squares', log, true);
    expect(ck.open({ version: 1, state: schema }).restored).toBeUndefined();
    expect(ck.restarts).toMatchObject([{ resumedFromRound: 0, checkpointAt: null }]);
  });
});

describe('the job store', () => {
  it('keeps jobs in acceptance order with their status and result, and prunes old ended ones', () => {
    const dir = tempDir();
    const store = new JobStateDir(dir, log);
    const base = { submittedAt: 'now', yaml: 'job: least-squares\n', yamlSha256: 'h', baseDir: dir, workers: 2, origin: 'submitted' as const, data: [] };
    for (const id of ['b-1', 'a-2', 'c-3']) store.create({ ...base, id });
    store.saveResult('b-1', { result: { rounds: 3 }, tensors: { 'x.npy': { shape: [2], values: Float64Array.from([1, NaN]) } }, files: { 'model.json': '{}' }, summary: 'done' });
    store.setStatus('a-2', { state: 'failed', at: 'now', message: 'boom', exitCode: 3 });
    const again = new JobStateDir(dir, log);
    expect(again.list().map((j) => [j.job.id, j.status.state])).toEqual([
      ['b-1', 'finished'],
      ['a-2', 'failed'],
      ['c-3', 'accepted'],
    ]);
    const out = again.loadResult('b-1');
    expect(out.result).toEqual({ rounds: 3 });
    expect(out.tensors['x.npy']!.values[1]).toBeNaN();
    expect(out.files).toEqual({ 'model.json': '{}' });
    again.prune(1);
    expect(again.list().map((j) => j.job.id)).toEqual(['a-2', 'c-3']);
    expect(() => again.create({ ...base, id: '../escape' })).toThrow(/not a valid id/);
  });

  it('fingerprints data files and names one that changed or vanished', () => {
    const dir = tempDir();
    const f = join(dir, 'A.csv');
    writeFileSync(f, '1,2\n3,4\n');
    const fp = fingerprint(f);
    expect(fp.bytes).toBe(8);
    expect(() => checkFingerprints([fp])).not.toThrow();
    writeFileSync(f, '1,2\n3,5\n');
    expect(() => checkFingerprints([fp])).toThrow(/A\.csv changed since the job was accepted/);
    rmSync(f);
    expect(() => checkFingerprints([fp])).toThrow(/gone/);
    expect(existsSync(f)).toBe(false);
  });

  it('refuses a state folder it cannot write, in one line', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'x');
    expect(() => new JobStateDir(join(dir, 'file', 'state'), log)).toThrow(/--state .*: not a writable folder/);
  });
});
