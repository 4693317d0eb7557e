import { describe, expect, it } from 'vitest';
import { WorkerRegistry } from '../../../master/cluster/registry';
import { InputError } from '../../../shared/errors';
import type { pb } from '../../../shared/wire';
import { cancellableSleep, TimerCalibration, timerMilliseconds } from '../../../worker/chaos-injector';
import { Rng } from '../../../shared/random';
import { runTask, type RunnerDeps } from '../../../worker/task-runner';
import { TaskCancel } from '../../../worker/task-cancel';

/** Fields the wire fuzz test (test/cluster/wire-fuzz.test.ts) found unchecked, each pinned here. */

describe('Register: an address the master cannot dial is refused before it is recorded', () => {
  it.each(['', ':7070', 'host', 'host:', 'host:0', 'host:70000', 'host:7o', 'a b:1', 'evil\n:1', 'x/y:1', `${'h'.repeat(300)}:1`])('refuses %j', (address) => {
    const r = new WorkerRegistry(3);
    const joins: number[] = [];
    r.on('join', (w) => joins.push(w.index));
    expect(() => r.join(address, 1, -1, 0)).toThrow(InputError);
    expect(() => r.join(address, 1, 2, 0)).toThrow(/is not a host:port the master can dial/);
    expect(joins).toEqual([]);
    expect(r.alive()).toEqual([]);
  });

  it.each(['127.0.0.1:7070', 'coda-worker-3.coda-worker.default.svc:7070', '[fd00::5]:7070', 'localhost:65535'])('admits %j', (address) => {
    expect(new WorkerRegistry(3).join(address, 1, -1, 0).address).toBe(address);
  });
});

describe('a task whose work is not a finite number ≥ 0 is refused, not run with a NaN or infinite delay', () => {
  // Refused before the runner touches anything: the dependencies are never used.
  const deps = {} as RunnerDeps;
  const req = (work: number): pb.TaskRequest__Output => ({ jobId: 'j', round: '1', slot: 0, blocks: [], work, kind: 'noop', noop: {} }) as unknown as pb.TaskRequest__Output;
  it.each([NaN, Infinity, -Infinity, -1])('work %d', async (work) => {
    const out = await runTask(deps, req(work), new TaskCancel());
    expect(out.type).toBe('failure');
    expect(out.type === 'failure' && out.error).toBeInstanceOf(InputError);
  });
});

describe('cancellableSleep', () => {
  it('a sleep longer than one timer allows still sleeps (Node fires an overlong setTimeout after 1 ms) and ends on abort', async () => {
    const abort = new AbortController();
    let done: boolean | undefined;
    const sleeping = cancellableSleep(1e10, abort.signal).then((v) => (done = v));
    await new Promise((r) => setTimeout(r, 30));
    expect(done).toBeUndefined();
    abort.abort();
    expect(await sleeping).toBe(false);
  });

  it('NaN sleeps not at all', async () => {
    expect(await cancellableSleep(NaN, new AbortController().signal)).toBe(true);
  });
});

describe('timerMilliseconds: delays as whole-millisecond timers, right on average', () => {
  it('a whole number of milliseconds is kept; a fraction becomes the floor or the next millisecond, the next with probability the fraction; nothing, NaN or a negative draw sleeps 0', () => {
    expect(timerMilliseconds(0.01, 0.99)).toBe(10);
    expect(timerMilliseconds(0.0027, 0.69)).toBe(3);
    expect(timerMilliseconds(0.0027, 0.71)).toBe(2);
    expect(timerMilliseconds(0.0003, 0.1)).toBe(1);
    expect(timerMilliseconds(0.0003, 0.5)).toBe(0);
    for (const bad of [0, -1, NaN]) expect(timerMilliseconds(bad, 0)).toBe(0);
  });

  it('over seeded draws the mean timer equals the delay drawn, for fractions and sub-millisecond delays alike (Node alone would give 2, 1 and 1 ms)', () => {
    for (const seconds of [0.0023, 0.0005, 0.0001, 0.0107]) {
      const rng = new Rng(7);
      let sum = 0;
      const n = 40_000;
      for (let i = 0; i < n; i++) sum += timerMilliseconds(seconds, rng.uniform());
      expect(sum / n).toBeCloseTo(seconds * 1000, 2);
    }
  });
});

describe('TimerCalibration: the time slept is the delay drawn, the event loop\'s lateness learnt', () => {
  /** Expected time slept for a delay under a plan, when every timer of w > 0 ms fires after w + late. */
  const expectedSleep = (cal: TimerCalibration, seconds: number, late: number): number => {
    const rng = new Rng(11);
    let sum = 0;
    const n = 40_000;
    for (let i = 0; i < n; i++) {
      const w = cal.plan(seconds, rng.uniform());
      sum += w > 0 ? w + late : 0;
    }
    return sum / n;
  };

  it('learns a steady lateness from what it observes (bounded: a stalled process does not make every timer zero)', () => {
    const cal = new TimerCalibration();
    for (let i = 0; i < 200; i++) cal.observe(10, 10.3);
    expect(cal.lateMs).toBeCloseTo(0.3, 3);
    for (let i = 0; i < 500; i++) cal.observe(10, 5000);
    expect(cal.lateMs).toBeLessThanOrEqual(2);
    cal.observe(0, 50); // no timer: nothing to learn
    cal.observe(10, NaN);
    expect(Number.isFinite(cal.lateMs)).toBe(true);
  });

  it('with that lateness the expected sleep equals the delay for whole, fractional and sub-millisecond delays (uncalibrated timers would add 0.3 ms, or make 0.4 ms into 1.3)', () => {
    const cal = new TimerCalibration();
    for (let i = 0; i < 300; i++) cal.observe(5, 5.3);
    for (const seconds of [0.01, 0.0027, 0.0011, 0.0004, 0.00005]) {
      expect(expectedSleep(cal, seconds, 0.3)).toBeCloseTo(seconds * 1000, 2);
    }
    expect(cal.plan(0, 0)).toBe(0);
    expect(cal.plan(-1, 0)).toBe(0);
  });
});
