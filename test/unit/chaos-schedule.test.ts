import { describe, expect, it } from 'vitest';
import { ChaosScheduleError, ChaosScheduleState, checkScheduleWorkers, checkWorkerIndices, parseChaosLine, parseChaosSchedule } from '../../shared/chaos/schedule';
import { roundsFromMetrics } from '../../launcher/chaos/schedule-runner';
import { ScheduleRunner } from '../../shared/chaos/schedule-runner';
import type { ChaosStep } from '../../shared/chaos/schedule';

/** A runner whose steps take `ms` each and fail when `fails` says so; it records what it did. */
class SlowRunner extends ScheduleRunner {
  readonly log: string[] = [];
  constructor(lines: string[], private readonly ms: number, private readonly fails: (s: ChaosStep) => boolean = () => false) {
    super(parseChaosSchedule(lines));
  }
  protected async execute(step: ChaosStep): Promise<string> {
    const what = step.kind === 'apply' ? step.event.action : step.action;
    await new Promise((r) => setTimeout(r, this.ms));
    if (this.fails(step)) throw new Error(`${what} failed`);
    this.log.push(what);
    return what;
  }
}

describe('chaos schedule: parsing', () => {
  it('reads the one-line form and the mapping form to the same events', () => {
    const lines = parseChaosSchedule([
      'at round 5 pause worker 3 for 2s',
      'at 10s kill worker 1 for 500ms',
      'at round 8 limit-bandwidth worker 2 rate 1mbit for 5',
      'at round 3 packet-loss worker 0 probability 0.1',
      'at round 4 partition worker 2 for 2s',
    ]);
    const maps = parseChaosSchedule([
      { at: { round: 5 }, action: 'pause', worker: 3, for: 2 },
      { at: { seconds: 10 }, action: 'kill', worker: 1, for: 0.5 },
      { at: { round: 8 }, action: 'limit-bandwidth', worker: 2, rate: '1mbit', for: 5 },
      { at: { round: 3 }, action: 'packet-loss', worker: 0, probability: 0.1 },
      { at: { round: 4 }, action: 'partition', worker: 2, for: 2 },
    ]);
    expect(lines).toEqual(maps);
    // Sorted: rounds first by round, then times.
    expect(lines.map((e) => e.at)).toEqual([{ round: 3 }, { round: 4 }, { round: 5 }, { round: 8 }, { seconds: 10 }]);
  });

  it.each([
    ['at round 5 freeze worker 3', /action.*one of pause, kill/],
    ['round 5 pause worker 3', /must start with 'at round N'/],
    ['at round 5 pause 3', /expected 'worker I'/],
    ['at round 5 pause worker 3 for soon', /'soon' is not a duration/],
    ['at round 5 limit-bandwidth worker 3', /rate/],
    ['at round 5 limit-bandwidth worker 3 rate fast', /a tc rate like 1mbit/],
    ['at round 5 packet-loss worker 3 probability 1.5', /probability/],
    ['at round 5 pause worker 3 speed 2', /unknown word 'speed'/],
    ['at round 2.5 pause worker 3', /round must be an integer/],
  ])('rejects %j with a message naming the problem', (line, msg) => {
    expect(() => parseChaosSchedule([line])).toThrow(ChaosScheduleError);
    expect(() => parseChaosSchedule([line])).toThrow(msg);
  });

  it('names the entry of a bad mapping and rejects unknown keys', () => {
    expect(() => parseChaosSchedule([{ at: { round: 1 }, action: 'pause', worker: 0 }, { at: { round: 1 }, action: 'pause', worker: 0, extra: 1 }])).toThrow(
      /chaos\.schedule\[1\].*extra/,
    );
    expect(parseChaosLine('at 1.5s pause worker 0')).toEqual({ at: { seconds: 1.5 }, action: 'pause', worker: 0 });
  });

  it('checks worker indices against the job', () => {
    const events = parseChaosSchedule(['at round 1 pause worker 4']);
    expect(() => checkScheduleWorkers(events, 4)).toThrow(/worker 4 does not exist \(the job has 4: 0\.\.3\)/);
    expect(() => checkScheduleWorkers(events, 5)).not.toThrow();
    // The indices a master's job really runs on (its lowest live workers) may leave a gap.
    expect(() => checkScheduleWorkers(events, [0, 2, 3])).toThrow(/worker 4 does not exist \(the job has 3: 0, 2, 3\)/);
    expect(() => checkScheduleWorkers(events, [4, 0, 1])).not.toThrow();
  });

  it('checks a list of indices (chaos.workers) by count or by membership', () => {
    expect(() => checkWorkerIndices([0, 99], 2, 'chaos.workers')).toThrow(ChaosScheduleError);
    expect(() => checkWorkerIndices([0, 99], 2, 'chaos.workers')).toThrow(/^chaos\.workers: worker 99 does not exist \(the job has 2: 0\.\.1\)$/);
    expect(() => checkWorkerIndices([1], [0, 2], 'chaos.workers')).toThrow(/worker 1 does not exist \(the job has 2: 0, 2\)/);
    expect(() => checkWorkerIndices([0, 1], [1, 0], 'chaos.workers')).not.toThrow();
    expect(() => checkWorkerIndices([], 1, 'chaos.workers')).not.toThrow();
  });
});

describe('chaos schedule: delay profiles that change mid-run', () => {
  it('reads `set delay DIST KEY VALUE... on workers LIST` and its mapping form to the same event', () => {
    const lines = parseChaosSchedule([
      'at round 50 set delay lambda-tail base 20ms on workers 0-3',
      'at round 80 set delay constant value 0.16 on worker 3',
      'at round 20 set delay mixture base 10ms multiples 1,4 weights 0.9,0.1 per task',
      'at 30s set delay shifted-exponential shift 5ms rate 200 on workers 1,4-5 ',
      'at round 90 set delay none on all workers',
    ]);
    const maps = parseChaosSchedule([
      { at: { round: 50 }, action: 'set-delay', delay: { dist: 'lambda-tail', base: 0.02 }, workers: [0, 1, 2, 3] },
      { at: { round: 80 }, action: 'set-delay', delay: { dist: 'constant', value: 0.16 }, workers: [3] },
      { at: { round: 20 }, action: 'set-delay', delay: { dist: 'mixture', base: 0.01, multiples: [1, 4], weights: [0.9, 0.1], per: 'task' } },
      { at: { seconds: 30 }, action: 'set-delay', delay: { dist: 'shifted-exponential', shift: 0.005, rate: 200 }, workers: [1, 4, 5] },
      { at: { round: 90 }, action: 'set-delay', delay: { dist: 'none' } },
    ]);
    expect(lines).toEqual(maps);
    expect(lines.map((e) => e.at)).toEqual([{ round: 20 }, { round: 50 }, { round: 80 }, { round: 90 }, { seconds: 30 }]);
    const s = new ChaosScheduleState(lines);
    expect(s.due({ round: 49, seconds: 1 }).map((x) => x.kind === 'apply' && x.event.at)).toEqual([{ round: 20 }]);
    expect(s.due({ round: 50, seconds: 1 })).toHaveLength(1);
    // A delay change has nothing to undo.
    expect(s.nextRevertSeconds()).toBeUndefined();
  });

  it.each([
    ['at round 5 set speed 2', /expected 'set delay DIST/],
    ['at round 5 set delay gamma shape 2', /chaos\.schedule\[0\]\.delay\.dist/],
    ['at round 5 set delay constant value 20ms on workers 3-1', /runs backwards/],
    ['at round 5 set delay constant value 20ms on workers x', /'x' is not a worker index/],
    ['at round 5 set delay constant value 20ms on machines 1', /expected 'on worker I'/],
    ['at round 5 set delay constant value soon', /'soon' is not a duration/],
    ['at round 5 set delay constant valu 0.1', /valu/],
    ['at round 5 set delay trace file t.csv', /a trace cannot be switched to/],
  ])('rejects %j with a message naming the problem', (line, msg) => {
    expect(() => parseChaosSchedule([line])).toThrow(ChaosScheduleError);
    expect(() => parseChaosSchedule([line])).toThrow(msg);
  });

  it('checks the workers it names against the job', () => {
    const events = parseChaosSchedule(['at round 1 set delay constant value 1ms on workers 2-4']);
    expect(() => checkScheduleWorkers(events, 4)).toThrow(/worker 4 does not exist/);
    expect(() => checkScheduleWorkers(events, 5)).not.toThrow();
  });
});

describe('chaos schedule: what is due', () => {
  it('fires each event once at its round, and its revert `for` seconds later in wall time', () => {
    const s = new ChaosScheduleState(parseChaosSchedule(['at round 2 pause worker 1 for 2s', 'at 3s kill worker 0']));
    expect(s.due({ round: 0, seconds: 0 })).toEqual([]);
    expect(s.due({ round: 1, seconds: 0.5 })).toEqual([]);
    const at2 = s.due({ round: 2, seconds: 1 });
    expect(at2).toHaveLength(1);
    expect(at2[0]).toMatchObject({ kind: 'apply', event: { action: 'pause', worker: 1 } });
    expect(s.nextRevertSeconds()).toBe(3);
    expect(s.due({ round: 2, seconds: 1.5 })).toEqual([]); // never twice
    const at3 = s.due({ round: 2, seconds: 3 });
    expect(at3.map((x) => (x.kind === 'apply' ? x.event.action : x.action))).toEqual(['kill', 'unpause']);
    expect(s.done).toBe(true);
  });

  it('a round skipped over still fires (the follower may see rounds 3 then 6)', () => {
    const s = new ChaosScheduleState(parseChaosSchedule(['at round 5 partition worker 2 for 1s']));
    expect(s.due({ round: 3, seconds: 0 })).toEqual([]);
    expect(s.due({ round: 6, seconds: 0.2 })).toHaveLength(1);
    expect(s.drainReverts()).toMatchObject([{ kind: 'revert', action: 'heal-partition', worker: 2 }]);
    expect(s.done).toBe(true);
  });
});

describe('chaos schedule: carrying it out', () => {
  it('is done only once the last revert has been carried out, not when it was taken off the schedule (a follower that stops early would heal a worker twice)', async () => {
    const r = new SlowRunner(['at round 1 pause worker 1 for 0.2s'], 150);
    await r.beforeRound(1);
    expect(r.log).toEqual(['pause']);
    const t0 = Date.now();
    while (!r.done) {
      await r.beforeRound(1);
      await new Promise((res) => setTimeout(res, 10));
    }
    // The revert is due at 0.2 s and takes 0.15 s: done after it ran, never before.
    expect(r.log).toEqual(['pause', 'unpause']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
  });

  it('a revert the timer fires that fails is reported by the next call, and later steps still run', async () => {
    const r = new SlowRunner(['at round 1 pause worker 1 for 0.05s', 'at round 2 kill worker 0'], 5, (s) => s.kind === 'revert');
    await r.beforeRound(1);
    await new Promise((res) => setTimeout(res, 150)); // the timer fires the revert, which fails
    await expect(r.beforeRound(1)).rejects.toThrow(/unpause failed/);
    await r.beforeRound(2);
    expect(r.log).toEqual(['pause', 'kill']);
    expect(r.done).toBe(true);
  });
});

describe('rounds from the master\'s /metrics', () => {
  it('sums coda_rounds_total over its label sets and ignores other series', () => {
    const text = [
      '# HELP coda_rounds_total Rounds decoded',
      '# TYPE coda_rounds_total counter',
      'coda_rounds_total{scheme="frc",job_kind="a",role="master"} 7',
      'coda_rounds_total{scheme="wait-all",job_kind="b",role="master"} 3',
      'coda_rounds_total_created 1',
      'coda_round_duration_seconds_count{scheme="frc"} 99',
    ].join('\n');
    expect(roundsFromMetrics(text)).toBe(10);
    expect(roundsFromMetrics('')).toBe(0);
  });
});
