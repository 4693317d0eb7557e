import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type JobOutput } from '../../master';
import { startLocalCluster } from '../../launcher';
import { readCheckpoint } from '../../master/state';
import { pollFor } from '../helpers/cluster-fixture';

/**
 * Every job kind that resumes, through the path a restarted master takes: a master with --state
 * runs the job on real worker processes, is stopped mid-job (its workers with it) once the job
 * has checkpointed, and a new master with new workers on the same state folder resumes it. The
 * answer is compared with an uninterrupted run of the same job on the second cluster. (The kill -9
 * of a real `coda master` process is test/cluster/recovery.test.ts.)
 */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const ID = 'resume-me';

function savedRound(state: string): number {
  const f = join(state, 'jobs', ID, 'checkpoint.bin');
  if (!existsSync(f)) return -1;
  try {
    return readCheckpoint(f).round;
  } catch {
    return -1;
  }
}

type Out = JobOutput<Record<string, unknown>>;

/** Runs `yaml` until its checkpoint reaches `round`, stops that master, resumes on a new one; also runs it uninterrupted there. */
async function interrupted(yaml: string, workers: number, round: number): Promise<{ resumed: Out; plain: Out }> {
  const state = mkdtempSync(join(tmpdir(), 'coda-resume-'));
  dirs.push(state);
  const master = { stateDir: state, checkpoint: { everySeconds: 0, everyRounds: 1 } };
  const first = await startLocalCluster({ workers, stderr: 'ignore', master });
  try {
    const job = first.master.jobs.submit(yaml, ID);
    await pollFor(() => savedRound(state) >= round || job.ending !== undefined, 120_000, `a checkpoint at round ${round}`);
    expect(job.ending, 'the job ended before it could be interrupted').toBeUndefined();
  } finally {
    await first.stop();
  }
  const second = await startLocalCluster({ workers, stderr: 'ignore', master });
  try {
    const job = second.master.jobs.find(ID);
    expect(job?.resumed).toBe(true);
    const a = await job!.ended;
    if (a.type === 'failed') throw new Error(`resumed job failed: ${a.message}`);
    const b = await second.master.jobs.submit(yaml, 'uninterrupted').ended;
    if (b.type === 'failed') throw new Error(`uninterrupted job failed: ${b.message}`);
    return { resumed: a.out, plain: b.out };
  } finally {
    await second.stop();
  }
}

function restarts(out: Out): { resumedFromRound: number; roundsRedone: number }[] {
  return (out.result.recovery as { restarts: { resumedFromRound: number; roundsRedone: number }[] }).restarts;
}

function relDiff(a: Float64Array, b: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / (den || 1));
}

describe('job kinds resume after a master restart', () => {
  it('logistic regression (Newton): goes on from its iterate; same iterations and answer as uninterrupted', async () => {
    const { resumed, plain } = await interrupted(
      `job: logistic-regression
data: { synthetic: { rows: 2000, cols: 20, seed: 3, signal: 3 } }
solver: newton
lambda: 1.0e-3
hessian: { scheme: { name: wait-all } }
workers: 4
chaos: { delay: { dist: constant, value: 0.05 } }
stop: { gradNorm: 1.0e-10, maxRounds: 50, timeLimit: 120 }
`,
      4,
      2,
    );
    const r = restarts(resumed);
    expect(r).toHaveLength(1);
    expect(r[0]!.resumedFromRound).toBeGreaterThanOrEqual(2);
    const history = resumed.result.history as { iteration: number; resumed?: boolean }[];
    expect(history.map((h) => h.iteration)).toEqual(history.map((_, i) => i));
    expect(history.filter((h) => h.resumed).map((h) => h.iteration)).toEqual([r[0]!.resumedFromRound + 1]);
    expect(resumed.result.iterations).toBe(plain.result.iterations);
    expect(resumed.result.stoppedBy).toBe('gradNorm');
    // mds decodes from whichever k answered first: exact up to rounding, not bit for bit.
    expect(relDiff(resumed.tensors['w.npy']!.values, plain.tensors['w.npy']!.values)).toBeLessThan(1e-9);
  }, 180_000);

  it('inverse: the column group solved before the restart is kept; only the other columns are solved again', async () => {
    const { resumed, plain } = await interrupted(
      `job: inverse
data: { synthetic: { kind: gaussian, rows: 40, cols: 40, seed: 3 } }
workers: 4
scheme: { name: frc, stragglers: 1 }
tol: 1.0e-12
chaos: { delay: { dist: constant, value: 3, work: rows }, workers: [2, 3] }
`,
      4,
      1,
    );
    expect(restarts(resumed)).toHaveLength(1);
    const round = resumed.result.round as { columnsSolved: number };
    expect(round.columnsSolved).toBe(20);
    expect((plain.result.round as { columnsSolved: number }).columnsSolved).toBe(40);
    expect(relDiff(resumed.tensors['inverse.npy']!.values, plain.tensors['inverse.npy']!.values)).toBeLessThan(1e-9);
  }, 180_000);

  it('kernel regression (synchronous EigenPro): goes on from α; same rounds, same α', async () => {
    const { resumed, plain } = await interrupted(
      `job: kernel-regression
solver: eigenpro-sync
data: { synthetic: { kind: regression, rows: 625, cols: 5, noise: 0.1, seed: 3 }, testFraction: 0.2 }
kernel: { name: laplacian, bandwidth: 2 }
eigenpro: { nystrom: 200, q: 20, batch: 32, epochs: 4, evalPoints: 0, evalsPerEpoch: 2 }
workers: 2
chaos: { delay: { dist: constant, value: 0.03 } }
seed: 4
`,
      2,
      10,
    );
    expect(restarts(resumed)[0]!.resumedFromRound).toBeGreaterThanOrEqual(10);
    expect(resumed.result.rounds).toBe(plain.result.rounds);
    expect((resumed.result.curve as unknown[]).length).toBe((plain.result.curve as unknown[]).length);
    expect(relDiff(resumed.tensors['alpha.npy']!.values, plain.tensors['alpha.npy']!.values)).toBeLessThan(1e-12);
  }, 180_000);

  it('kernel regression (AsyncEigenPro): goes on from α and the slices\' versions at the end of a leg; no write lost over the restart', async () => {
    // Asynchronous runs differ run to run (the interleaving is the cluster's): what must hold is
    // that the resumed run starts from the cut (the checksums of every slice span both masters),
    // counts its budget from there and ends where an uninterrupted run ends.
    const { resumed, plain } = await interrupted(
      `job: kernel-regression
solver: eigenpro-async
data: { synthetic: { kind: regression, rows: 625, cols: 5, noise: 0.1, seed: 3 }, testFraction: 0.2 }
kernel: { name: laplacian, bandwidth: 2 }
eigenpro: { nystrom: 200, q: 20, batch: 32, epochs: 40, evalPoints: 0, evalsPerEpoch: 1 }
workers: 2
chaos: { delay: { dist: constant, value: 0.03 } }
seed: 4
`,
      2,
      3,
    );
    const r = resumed.result;
    const p = plain.result;
    expect(restarts(resumed)[0]!.resumedFromRound).toBeGreaterThanOrEqual(3);
    expect(r.stoppedBy).toBe('epochs');
    // 40 epochs of 500 training points in batches of 32, as the uninterrupted run (a worker that
    // read the count one short of the budget still writes: up to G − 1 = 1 update more).
    const budget = Math.ceil((40 * 500) / 32);
    for (const u of [r.updates as number, p.updates as number]) {
      expect(u).toBeGreaterThanOrEqual(budget);
      expect(u).toBeLessThanOrEqual(budget + 1);
    }
    expect(r.legs as number).toBeGreaterThan(3);
    const store = r.store as { lostWrites: number; maxChecksumGap: number };
    expect(store.lostWrites).toBe(0);
    expect(store.maxChecksumGap).toBeLessThan(1e-9);
    const perWorker = r.perWorker as { updates: number; sliceVersion: number }[];
    expect(perWorker.reduce((a, w) => a + w.updates, 0)).toBe(r.updates);
    for (const w of perWorker) expect(w.sliceVersion).toBe(w.updates);
    // The curve keeps the points before the restart and goes on to the end.
    const epochs = (c: unknown) => (c as { epochs: number }[]).map((x) => x.epochs);
    const ce = epochs(r.curve);
    expect(ce[0]).toBe(0);
    expect(Math.abs(ce[ce.length - 1]! - epochs(p.curve).at(-1)!)).toBeLessThanOrEqual(32 / 500 + 1e-9);
    for (let i = 1; i < ce.length; i++) expect(ce[i]!).toBeGreaterThan(ce[i - 1]!);
    const err = (o: Record<string, unknown>) => (o.final as { trainRelError: number }).trainRelError;
    // Two asynchronous runs of this job end within about 2 % of each other's training error.
    expect(err(r)).toBeLessThan(1.25 * err(p));
  }, 180_000);

  it('straggler showdown: the runs done before the restart are kept, the rest run', async () => {
    const { resumed, plain } = await interrupted(
      `job: straggler-showdown
data: { synthetic: { kind: gaussian, rows: 800, cols: 10, seed: 2 } }
schemes: [{ name: wait-all }, { name: replication, r: 2 }]
workers: 4
repeats: 1
tailFree: false
timeBudget: 0.6
target: 1.0e-3
chaos: { delay: { dist: constant, value: 0.005 } }
`,
      4,
      2,
    );
    const runs = resumed.result.runs as { label: string; condition: string }[];
    expect(runs).toHaveLength(4);
    expect(runs.map((r) => `${r.label}/${r.condition}`).sort()).toEqual((plain.result.runs as { label: string; condition: string }[]).map((r) => `${r.label}/${r.condition}`).sort());
    expect(restarts(resumed)[0]!.resumedFromRound).toBeGreaterThanOrEqual(2);
  }, 180_000);

  it('Table I (sketch comparison): the instances done are kept, the next ones run; same table as uninterrupted', async () => {
    const { resumed, plain } = await interrupted(
      `job: sketch-comparison
data: { synthetic: { kind: student-t, rows: 400, cols: 8, df: 3, noise: 1, seed: 1 } }
workers: 4
blocks: 20
scheme: { name: leverage, q: 4, slots: 40 }
instances: 3
iterations: 800
stepFactors: [0.042]
arrivals: simulated
seed: 1
`,
      4,
      1,
    );
    expect(restarts(resumed)[0]!.resumedFromRound).toBeGreaterThanOrEqual(1);
    expect(resumed.result.perInstance).toEqual(plain.result.perInstance);
    expect(resumed.result.table).toEqual(plain.result.table);
  }, 180_000);
});
