import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { chooseScheme, type Plan } from '../../../core/schemes';
import { materializeStoredBlocks } from '../../../core/schemes/placement';
import { ClusterError, InputError } from '../../../shared/errors';
import { lsGradient } from '../../../shared/kernels/blas';
import type { Logger } from '../../../shared/log';
import { Rng } from '../../../shared/random';
import type { pb } from '../../../shared/wire';
import type { TaskPayload } from '../../../algorithms/compute-cluster';
import { MasterMetrics } from '../../../master/metrics';
import { ASYNC_REPORT_LENGTH } from '../../../shared/store';
import { BAD_ANSWERS_TO_DROP, BadAnswers } from '../../../master/cluster/bad-answers';
import { Placed } from '../../../master/cluster/placed-plan';
import { RoundRun, type DispatchContext, type RoundStream } from '../../../master/cluster/round-run';
import type { RoundListener } from '../../../master/cluster/task-stream';

/**
 * RoundRun against fake task streams: what a worker sends back is scripted, so every kind of bad
 * answer is tried without a network, and what the round makes of it (ignored, refused and moved,
 * the worker dropped, the round failed with a typed error) is checked exactly.
 */

const JOB = 'job-rr';
const COLS = 3;
const ROWS_PER_BLOCK = 2;

class FakeStream implements RoundStream {
  open = true;
  readonly sent: pb.RoundTasks[] = [];
  readonly cancelled: number[][] = [];
  readonly listeners = new Map<string, RoundListener>();
  listen(jobId: string, round: string, l: RoundListener): () => void {
    const k = `${jobId}/${round}`;
    this.listeners.set(k, l);
    return () => this.listeners.delete(k);
  }
  send(r: pb.RoundTasks): void {
    this.sent.push(r);
  }
  cancel(_j: string, _r: string, slots: number[]): void {
    this.cancelled.push(slots);
  }
  /** What TaskStream does: routes by (job, round); nothing listens to anything else. */
  reply(m: { result?: pb.TaskResult__Output; failure?: pb.TaskFailure__Output }): void {
    const r = m.result ?? m.failure!;
    const l = this.listeners.get(`${r.jobId}/${r.round}`);
    if (!l) return;
    if (m.result) l.result(m.result);
    else l.failure(m.failure!);
  }
  /** Slots this worker was sent, over every message. */
  slots(): number[] {
    return this.sent.flatMap((m) => (m.slots ?? []).map((s) => s.slot!));
  }
}

interface Harness {
  placed: Placed;
  streams: FakeStream[];
  answers: BadAnswers;
  metrics: MasterMetrics;
  registry: Registry;
  warnings: string[];
  ctx: DispatchContext;
  lost: number[];
  honest(slot: number, x: Float64Array): Float64Array;
  A: Float64Array;
  b: Float64Array;
}

function harness(workers = 3, scheme = 'wait-all', blocks = workers, answers?: BadAnswers): Harness {
  const rng = new Rng(11);
  const rows = ROWS_PER_BLOCK * blocks;
  const A = Float64Array.from({ length: rows * COLS }, () => rng.normal());
  const b = Float64Array.from({ length: rows }, () => rng.normal());
  const plan: Plan = chooseScheme(scheme).plan({ workers, blocks, blockRows: new Array<number>(blocks).fill(ROWS_PER_BLOCK), rng: new Rng(3) });
  const out = materializeStoredBlocks(plan, { A: { rows, cols: COLS, data: A }, b, blockStarts: Array.from({ length: blocks + 1 }, (_, j) => j * ROWS_PER_BLOCK) });
  const placed = new Placed(JOB, plan, out, plan.slots.map(() => 1));
  plan.slots.forEach((s) => {
    for (const { stored } of s.blocks) placed.holders.set(stored, new Set([...(placed.holders.get(stored) ?? []), s.host]));
  });
  const registry = new Registry();
  const metrics = new MasterMetrics(registry);
  const warnings: string[] = [];
  const log = { warn: (_o: unknown, msg: string) => warnings.push(msg), info: () => undefined, debug: () => undefined, error: () => undefined } as unknown as Logger;
  const tally = answers ?? new BadAnswers({ jobId: JOB, metrics, log });
  const streams = Array.from({ length: workers }, () => new FakeStream());
  const lossFns = new Set<(w: number) => void>();
  const lost: number[] = [];
  const ctx: DispatchContext = {
    workMeasure: 'ops',
    stream: (w) => streams[w],
    // As Cluster.placeOn: the worker holds the blocks from now on.
    placeOn: (p, w, ids) => {
      for (const id of ids) p.holders.set(id, new Set([...(p.holders.get(id) ?? []), w]));
      return Promise.resolve();
    },
    liveWorkers: () => streams.map((_, w) => w).filter((w) => !lost.includes(w) && !tally.dropped(w)),
    markLost: (w) => {
      lost.push(w);
      for (const f of [...lossFns]) f(w);
    },
    onLoss: (fn) => {
      lossFns.add(fn);
      const stop = tally.onDrop(fn);
      return () => {
        lossFns.delete(fn);
        stop();
      };
    },
    answers: tally,
    metrics,
    log,
    taskDeadlineSeconds: 60,
    labels: { job_kind: 'test', job_id: JOB },
  };
  const honest = (slot: number, x: Float64Array): Float64Array => {
    const g = new Float64Array(x.length);
    for (const { stored, weight } of plan.slots[slot]!.blocks) {
      const blk = out[stored]!;
      lsGradient({ rows: blk.rows, cols: blk.cols, data: blk.data }, blk.rhs!, x, g, weight, true);
    }
    return g;
  };
  return { placed, streams, answers: tally, metrics, registry, warnings, ctx, lost, honest, A, b };
}

const tensor = (v: Float64Array, shape: number[] = [v.length]): pb.Tensor__Output => ({ shape, data: Buffer.from(v.buffer, v.byteOffset, v.byteLength) });

function result(round: number, slot: number, payload: pb.Tensor__Output | null, over: Partial<pb.TaskResult__Output> = {}): { result: pb.TaskResult__Output } {
  return { result: { workerIndex: 0, round: String(round), slot, timings: null, payload, jobId: JOB, ...over } };
}

const X = Float64Array.of(0.5, -1, 2);
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** The sum of every slot's honest answer: wait-all's exact gradient. */
function exact(h: Harness): Float64Array {
  const g = new Float64Array(COLS);
  h.placed.plan.slots.forEach((_, s) => h.honest(s, X).forEach((v, i) => (g[i]! += v)));
  return g;
}

/** Answers every slot each worker holds and has not answered yet, honestly. */
function answerAll(h: Harness, round: number, skip: (worker: number, slot: number) => boolean = () => false): void {
  h.streams.forEach((s, w) => {
    for (const slot of s.slots()) if (!skip(w, slot)) s.reply(result(round, slot, tensor(h.honest(slot, X))));
  });
}

async function counter(h: Harness, name: string): Promise<Record<string, number>> {
  const m = await h.registry.getSingleMetric(name)!.get();
  return Object.fromEntries(m.values.map((v) => [Object.values(v.labels).join('/'), v.value]));
}

describe('RoundRun: what a worker sends back is checked before the round takes it', () => {
  it('honest answers decode to the exact sum', async () => {
    const h = harness();
    const run = new RoundRun(h.ctx, h.placed, { kind: 'lsGradient', x: X }, 1).run();
    answerAll(h, 1);
    const out = await run;
    expect(Array.from(out.decoded.value)).toEqual(Array.from(exact(h)));
    expect(out.decoded.exact).toBe(true);
  });

  it('every answered task is counted in coda_tasks_total (counted in place, handed over on each read), and the bytes sent', async () => {
    const h = harness();
    for (let r = 1; r <= 5; r++) {
      const run = new RoundRun(h.ctx, h.placed, { kind: 'lsGradient', x: X }, r).run();
      answerAll(h, r);
      await run;
      // A read between rounds hands over what was counted so far; the next read does not count it again.
      if (r === 2) expect(await counter(h, 'coda_tasks_total')).toEqual({ '0/lsGradient/wait-all/answered': 2, '1/lsGradient/wait-all/answered': 2, '2/lsGradient/wait-all/answered': 2 });
    }
    h.metrics.tasks.inc({ worker: '1', kind: 'lsGradient', scheme: 'wait-all', outcome: 'answered' });
    expect(await counter(h, 'coda_tasks_total')).toEqual({ '0/lsGradient/wait-all/answered': 5, '1/lsGradient/wait-all/answered': 6, '2/lsGradient/wait-all/answered': 5 });
    expect(await counter(h, 'coda_tasks_total')).toEqual({ '0/lsGradient/wait-all/answered': 5, '1/lsGradient/wait-all/answered': 6, '2/lsGradient/wait-all/answered': 5 });
    // 3 workers × 5 rounds, x's 3 doubles each.
    expect(await counter(h, 'coda_task_payload_bytes_total')).toEqual({ sent: 3 * 5 * 8 * X.length });
    expect(await h.registry.metrics()).toContain('coda_tasks_total{worker="1",kind="lsGradient",scheme="wait-all",outcome="answered"} 6');
  });

  const BAD: [string, () => pb.Tensor__Output | null, string][] = [
    ['short', () => tensor(new Float64Array(COLS - 1)), 'length'],
    ['long', () => tensor(new Float64Array(COLS + 5)), 'length'],
    ['empty', () => tensor(new Float64Array(0)), 'length'],
    ['absent', () => null, 'malformed'],
    ['bytes that are no float64s', () => ({ shape: [1], data: Buffer.alloc(7) }), 'malformed'],
    ['a shape its bytes do not fill', () => ({ shape: [COLS, 2], data: Buffer.alloc(8 * COLS) }), 'malformed'],
    ['the right count in the wrong shape', () => tensor(new Float64Array(COLS), [1, COLS]), 'shape'],
    ['NaN', () => tensor(Float64Array.of(1, NaN, 3)), 'non-finite'],
    ['Infinity', () => tensor(Float64Array.of(1, 2, -Infinity)), 'non-finite'],
  ];
  it.each(BAD)('a %s answer is refused: counted, logged once, its slot moved; the round still decodes exactly', async (_what, bad, reason) => {
    const h = harness();
    const run = new RoundRun(h.ctx, h.placed, { kind: 'lsGradient', x: X }, 1).run();
    h.streams[1]!.reply(result(1, 1, bad()));
    h.streams[1]!.reply(result(1, 1, bad())); // a duplicate of the bad one: ignored
    await tick();
    // Slot 1 now runs on another worker (it had to be placed there first).
    const moved = [0, 2].find((w) => h.streams[w]!.slots().includes(1))!;
    expect(moved).toBeDefined();
    answerAll(h, 1, (w, slot) => w === 1 && slot === 1);
    const out = await run;
    expect(Array.from(out.decoded.value)).toEqual(Array.from(exact(h)));
    expect(out.slotsMoved).toBe(1);
    expect(await counter(h, 'coda_bad_answers_total')).toEqual({ [`1/${reason}`]: 1 });
    expect(await counter(h, 'coda_ignored_answers_total')).toEqual({ '1/duplicate': 1 });
    expect(h.warnings.filter((w) => w.includes(`refused a ${reason} answer from worker 1`))).toHaveLength(1);
  });

  it('answers for slots never sent to the worker, duplicates of good ones and replies for other rounds and jobs touch nothing', async () => {
    const h = harness();
    const run = new RoundRun(h.ctx, h.placed, { kind: 'lsGradient', x: X }, 7).run();
    const wrong = tensor(Float64Array.of(1e6, 1e6, 1e6));
    const w1 = h.streams[1]!;
    w1.reply(result(7, 0, wrong)); // slot 0 is worker 0's
    w1.reply(result(7, 4096, wrong)); // no such slot
    w1.reply({ failure: { jobId: JOB, round: '7', slot: 2, code: 3, message: 'not yours to refuse' } });
    w1.reply(result(7, 1, tensor(h.honest(1, X))));
    w1.reply(result(7, 1, wrong)); // after its good answer
    w1.reply(result(6, 1, wrong)); // another round: no listener
    w1.reply(result(7, 1, wrong, { jobId: 'another-job' }));
    answerAll(h, 7, (w) => w === 1);
    const out = await run;
    expect(Array.from(out.decoded.value)).toEqual(Array.from(exact(h)));
    expect(await counter(h, 'coda_ignored_answers_total')).toEqual({ '1/unknown-slot': 3, '1/duplicate': 1 });
    expect(await counter(h, 'coda_bad_answers_total')).toEqual({});
    expect(out.slotsMoved).toBe(0);
  });

  it(`a worker with ${BAD_ANSWERS_TO_DROP} bad answers in a job is dropped from it: its open slots move, its later answers are ignored`, async () => {
    // 12 slots on 3 workers: worker 0 runs slots 0, 3, 6 and 9.
    const h = harness(3, 'wait-all', 12);
    const run = new RoundRun(h.ctx, h.placed, { kind: 'lsGradient', x: X }, 1).run();
    const w0 = h.streams[0]!;
    expect(w0.slots()).toEqual([0, 3, 6, 9]);
    expect(BAD_ANSWERS_TO_DROP).toBe(3);
    w0.reply(result(1, 0, tensor(new Float64Array(1))));
    // A NaN counts only once another worker's finite answer for the slot disproves it.
    w0.reply(result(1, 3, tensor(Float64Array.of(NaN, 0, 0))));
    w0.reply(result(1, 6, null));
    expect(h.answers.dropped(0)).toBe(false);
    await tick();
    const host3 = [1, 2].find((w) => h.streams[w]!.slots().includes(3))!;
    h.streams[host3]!.reply(result(1, 3, tensor(h.honest(3, X))));
    expect(h.answers.dropped(0)).toBe(true);
    expect(h.ctx.liveWorkers()).toEqual([1, 2]);
    await tick();
    // Slot 9 was still open on worker 0: it moved too, and worker 0's good answer for it now is ignored.
    w0.reply(result(1, 9, tensor(h.honest(9, X))));
    answerAll(h, 1, (w, slot) => w === 0 || (w === host3 && slot === 3));
    const out = await run;
    expect(Array.from(out.decoded.value)).toEqual(Array.from(exact(h)));
    expect(out.arrivals.every((a) => a.worker !== 0)).toBe(true);
    expect(out.slotsMoved).toBe(4);
    // The round stopped listening to worker 0 when it dropped it (its task stream counts that answer as late).
    expect(w0.listeners.size).toBe(0);
    expect((await h.metrics.workersDropped.get()).values[0]!.value).toBe(1);
    expect(h.warnings.filter((w) => w.startsWith('worker 0 dropped from job'))).toHaveLength(1);
    // The next round of the job does not use it.
    const next = new RoundRun(h.ctx, h.placed, { kind: 'lsGradient', x: X }, 2).run();
    await tick();
    expect(w0.sent.filter((m) => m.round === '2')).toEqual([]);
    h.streams.forEach((s) => {
      for (const m of s.sent.filter((x) => x.round === '2')) for (const e of m.slots ?? []) s.reply(result(2, e.slot!, tensor(h.honest(e.slot!, X))));
    });
    expect(Array.from((await next).decoded.value)).toEqual(Array.from(exact(h)));
  });

  it("a non-finite answer confirmed by a second worker is the computation's own: taken, and never counted against the first", async () => {
    const h = harness();
    const run = new RoundRun(h.ctx, h.placed, { kind: 'lsGradient', x: X }, 1).run();
    const nan = tensor(Float64Array.of(NaN, 1, 1));
    h.streams[1]!.reply(result(1, 1, nan));
    await tick();
    const moved = [0, 2].find((w) => h.streams[w]!.slots().includes(1))!;
    h.streams[moved]!.reply(result(1, 1, nan));
    answerAll(h, 1, (_w, slot) => slot === 1);
    const out = await run;
    expect(Number.isNaN(out.decoded.value[0])).toBe(true);
    // Counted when it came (a Prometheus counter never goes back), but not towards dropping worker 1.
    expect(await counter(h, 'coda_bad_answers_total')).toEqual({ '1/non-finite': 1 });
    for (let i = 0; i < BAD_ANSWERS_TO_DROP - 1; i++) h.answers.bad(1, 'length', 'test');
    expect(h.answers.dropped(1)).toBe(false);
  });

  it('a diverging iterate (every answer non-finite, three slots a worker): the round decodes it for the algorithm to see, and no worker is dropped', async () => {
    const h = harness(3, 'wait-all', 9);
    const run = new RoundRun(h.ctx, h.placed, { kind: 'lsGradient', x: X }, 1).run();
    let settled = false;
    void run.finally(() => (settled = true));
    const replied = new Set<string>();
    for (let pass = 0; pass < 5 && !settled; pass++) {
      h.streams.forEach((st, w) => {
        for (const slot of st.slots()) {
          if (replied.has(`${slot}:${w}`)) continue;
          replied.add(`${slot}:${w}`);
          st.reply(result(1, slot, tensor(Float64Array.of(Infinity, NaN, 1))));
        }
      });
      await tick();
    }
    const out = await run;
    expect(out.decoded.value.some((v) => !Number.isFinite(v))).toBe(true);
    expect([0, 1, 2].filter((w) => h.answers.dropped(w))).toEqual([]);
  });

  it('a report kind that may hold NaN (an AsyncEigenPro leg) is not refused for it', async () => {
    const h = harness();
    const report = (slot: number): TaskPayload => ({ kind: 'message', name: 'eigenproAsync', fields: { eigenproAsync: { owner: slot } } });
    const run = new RoundRun(h.ctx, h.placed, report, 1).run();
    h.streams.forEach((s) => {
      for (const slot of s.slots()) s.reply(result(1, slot, tensor(new Float64Array(ASYNC_REPORT_LENGTH).fill(NaN))));
    });
    const out = await run;
    expect(out.decoded.value.length).toBe(ASYNC_REPORT_LENGTH);
  });
});

describe('RoundRun: no exception escapes a round; each fails it with a typed error', () => {
  const failingPlan = (h: Harness, where: 'add' | 'decode', error: Error): void => {
    const base = h.placed.plan;
    (h.placed as { plan: Plan }).plan = {
      ...base,
      decoder: () => {
        const d = base.decoder();
        return {
          add: (s, v) => (where === 'add' ? (() => { throw error; })() : d.add(s, v)),
          enough: () => d.enough(),
          canDecodeEarly: () => d.canDecodeEarly(),
          decode: () => {
            if (where === 'decode') throw error;
            return d.decode();
          },
        };
      },
    };
  };

  it.each([
    ['add', new Error('plain failure in add'), ClusterError, /round 1 of job-rr: the answer of worker 0 failed: plain failure in add/],
    ['decode', new Error('ill-conditioned'), ClusterError, /round 1 of job-rr: decoding \(scheme wait-all\) failed: ill-conditioned/],
    ['decode', new InputError('singular system'), InputError, /^singular system$/],
  ] as const)("a decoder's %s throwing %s: the round rejects with that class, nothing is thrown into the stream", async (where, error, cls, message) => {
    const h = harness();
    failingPlan(h, where, error);
    const run = new RoundRun(h.ctx, h.placed, { kind: 'lsGradient', x: X }, 1).run();
    expect(() => answerAll(h, 1)).not.toThrow();
    const e = await run.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(cls);
    expect((e as Error).message).toMatch(message);
  });

  it("the caller's onAnswer and per-slot payload throwing: typed failures of the round", async () => {
    const h = harness();
    const run = new RoundRun(h.ctx, h.placed, { kind: 'lsGradient', x: X }, 1, {
      onAnswer: () => {
        throw new TypeError('bug in onAnswer');
      },
    }).run();
    expect(() => answerAll(h, 1)).not.toThrow();
    await expect(run).rejects.toThrow(ClusterError);

    const h2 = harness();
    let calls = 0;
    const payload = (): TaskPayload => {
      if (++calls > 4) throw new RangeError('payload for a relocated slot');
      return { kind: 'lsGradient', x: X };
    };
    const run2 = new RoundRun(h2.ctx, h2.placed, payload, 1).run().catch((e: unknown) => e);
    h2.streams[1]!.reply(result(1, 1, null));
    // The relocation's send asks for the payload again.
    const e = await run2;
    expect(e).toBeInstanceOf(ClusterError);
    expect((e as Error).message).toMatch(/sending relocated slot 1 failed: payload for a relocated slot/);
  });

  it("a failure report confirmed by a second worker fails the round, with the error table's class and the first worker's message", async () => {
    const h = harness();
    const run = new RoundRun(h.ctx, h.placed, { kind: 'lsGradient', x: X }, 1).run();
    const failure = { jobId: JOB, round: '1', slot: 2, code: 3, message: 'block 2 has 4 columns' };
    h.streams[2]!.reply({ failure });
    await tick();
    // The slot moved: to the first other worker it was sent to.
    const to = h.streams.findIndex((s, w) => w !== 2 && s.slots().includes(2));
    expect(to).toBeGreaterThanOrEqual(0);
    h.streams[to]!.reply({ failure });
    await expect(run).rejects.toThrow(InputError);
    await expect(run).rejects.toThrow(/worker 2: block 2 has 4 columns/);
  });

  it("one worker's failure report does not fail the round: its slot runs elsewhere and the report counts against that worker", async () => {
    const h = harness();
    const run = new RoundRun(h.ctx, h.placed, { kind: 'lsGradient', x: X }, 1).run();
    h.streams[2]!.reply({ failure: { jobId: JOB, round: '1', slot: 2, code: 3, message: 'a hostile refusal' } });
    await tick();
    answerAll(h, 1, (w) => w === 2);
    const out = await run;
    expect(Array.from(out.decoded.value)).toEqual(Array.from(exact(h)));
    expect(out.slotsMoved).toBe(1);
    expect(await counter(h, 'coda_bad_answers_total')).toEqual({ '2/failed': 1 });
  });

  it('a failure report with nowhere else to run the slot stands', async () => {
    const h = harness(1, 'wait-all', 2);
    const run = new RoundRun(h.ctx, h.placed, { kind: 'lsGradient', x: X }, 1).run();
    h.streams[0]!.reply({ failure: { jobId: JOB, round: '1', slot: 1, code: 13, message: 'out of memory' } });
    h.streams[0]!.reply(result(1, 0, tensor(h.honest(0, X))));
    await expect(run).rejects.toThrow(ClusterError);
    await expect(run).rejects.toThrow(/worker 0 failed a lsGradient task: out of memory/);
  });
});
