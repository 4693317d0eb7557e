import { describe, expect, it, vi } from 'vitest';
import { runJob, jobOf } from '../../master';
import { candidateSet, choosePolicy, type Decision, type PlacementDecider, type Placement } from '../../core/policy';
import { normalEquations, steepestDescent } from '../../algorithms';
import { loadLeastSquaresProblem } from '../../master/data';
import { setUpLeastSquares } from '../../master/jobs/least-squares';
import { setUpAdaptiveLeastSquares } from '../../master/jobs/least-squares/adaptive';
import { chooseScheme } from '../../core/schemes';
import { withLocalCluster } from '../helpers/cluster-fixture';
import { jobContext } from '../helpers/job-context';
import { inlineLa } from '../helpers/linalg';

const N = 6;
const WORKERS = Array.from({ length: N }, (_, i) => i);

/** Decisions scripted by round: a re-plan to each placement once its round has come. */
class ScriptedDecider implements PlacementDecider {
  private current: Placement;
  constructor(
    first: Placement,
    private readonly script: { round: number; to: Placement }[],
  ) {
    this.current = first;
  }
  placement(): Placement {
    return this.current;
  }
  setWorkers(): void {}
  decide(round: number): Decision {
    const next = this.script.find((s) => s.round <= round);
    const replan = next !== undefined;
    if (next) {
      this.script.splice(this.script.indexOf(next), 1);
      this.current = next.to;
    }
    const c = this.current;
    return { round, candidate: c.candidate, workers: [...c.workers], excluded: WORKERS.filter((w) => !c.workers.includes(w)), probe: [], replan, reason: `round ${round}: scripted -> ${c.candidate.label}`, predictions: [] };
  }
}

function candidate(label: string, workers = N) {
  const c = candidateSet(workers, { approximate: false, coded: false, data: false }).find((x) => x.label === label);
  if (!c) throw new Error(`no candidate ${label}`);
  return c;
}

describe('adaptive least squares on a local cluster (real processes, loopback gRPC)', () => {
  it('re-plans mid-job keep an exact scheme exact (the iterates are wait-all’s) and stream only the blocks that must move', async () => {
    await withLocalCluster({ workers: N }, async (lc) => {
      const job = jobOf('least-squares', { data: { synthetic: { kind: 'student-t', rows: 1200, cols: 12, seed: 4, df: 2.5 } }, workers: N });
      const { A, b } = loadLeastSquaresProblem(job);
      const normal = await normalEquations(inlineLa, A, b);
      const stop = { tol: 0, maxRounds: 24, timeLimit: 60 };
      const script = [
        { round: 4, to: { candidate: candidate('speculative q=0.75 ×1.5'), workers: WORKERS } },
        { round: 8, to: { candidate: candidate('frc s=1 cover'), workers: WORKERS } },
        { round: 12, to: { candidate: candidate('replication r=2'), workers: WORKERS } },
        { round: 16, to: { candidate: candidate('wait-all', N - 1), workers: WORKERS.slice(0, N - 1) } },
      ];

      const session = await lc.master.cluster.openJob({ kind: 'least-squares' });
      let adaptiveX: Float64Array;
      let report;
      try {
        const setup = await setUpAdaptiveLeastSquares(session, A, b, {
          jobId: 'adaptive-scripted',
          seed: 1,
          policy: choosePolicy({ name: 'adaptive', period: 1, budget: 1 }),
          normal,
          tol: 0,
          maxRounds: stop.maxRounds,
          log: lc.master.log,
          metrics: lc.master.metrics,
          labels: session.labels,
          decider: new ScriptedDecider({ candidate: candidate('wait-all'), workers: WORKERS }, script),
        });
        const res = await steepestDescent(setup.oracle, normal, { step: 'line-search', stop });
        await setup.release();
        adaptiveX = res.x;
        report = setup.adaptive();
        expect(res.rounds).toBe(24);
      } finally {
        await session.close();
      }

      const ref = await lc.master.cluster.openJob({ kind: 'least-squares' });
      let waitAllX: Float64Array;
      try {
        const setup = await setUpLeastSquares(ref, A, b, chooseScheme({ name: 'wait-all' }), { jobId: 'wait-all-ref', seed: 1 });
        waitAllX = (await steepestDescent(setup.oracle, normal, { step: 'line-search', stop })).x;
        await setup.release();
      } finally {
        await ref.close();
      }

      // Every plan decodes Σ Aᵢᵀ(Aᵢx − bᵢ) exactly: the same iterates up to the order of a sum.
      let diff = 0;
      let norm = 0;
      for (let i = 0; i < waitAllX.length; i++) {
        diff += (adaptiveX[i]! - waitAllX[i]!) ** 2;
        norm += waitAllX[i]! ** 2;
      }
      expect(Math.sqrt(diff / norm)).toBeLessThan(1e-9);

      const bytesPerRow = (A.cols + 1) * 8; // a row of A and its b
      const list = report.replans.list;
      expect(list.map((r) => r.to)).toEqual(['speculative q=0.75 ×1.5', 'frc s=1 cover', 'replication r=2', 'wait-all without worker 5']);
      // What moved is what placementDiff says must move, byte for byte.
      for (const r of list) expect(r.bytesPlaced).toBe(r.rowsPlaced * bytesPerRow);
      // wait-all -> speculative: only the two backup copies of every block.
      expect(list[0]!.rowsPlaced).toBe(2 * A.rows);
      // frc s=1 -> replication r=2 on the same three blocks: the same blocks on the same workers, nothing moves.
      expect(list[2]!.bytesPlaced).toBe(0);
      // A new partition (K = 6 -> 3, 3 -> 5) is placed anew and the old blocks are dropped.
      expect(list[1]!.blocksDropped).toBeGreaterThan(0);
      expect(list[3]!.blocksDropped).toBeGreaterThan(0);
      expect(report.replans.count).toBe(4);
      expect(report.final).toBe('wait-all without worker 5');
    });
  });

  it('a round trip through an approximate plan (speculative -> ignore-stragglers -> speculative) sends again the copies it dropped', async () => {
    await withLocalCluster({ workers: N }, async (lc) => {
      const job = jobOf('least-squares', { data: { synthetic: { kind: 'student-t', rows: 1200, cols: 12, seed: 5, df: 2.5 } }, workers: N });
      const { A, b } = loadLeastSquaresProblem(job);
      const normal = await normalEquations(inlineLa, A, b);
      const approx = (label: string) => {
        const c = candidateSet(N, { approximate: true, coded: false, data: false }).find((x) => x.label === label);
        if (!c) throw new Error(`no candidate ${label}`);
        return c;
      };
      const script = [
        { round: 3, to: { candidate: candidate('speculative q=0.75 ×1.5'), workers: WORKERS } },
        { round: 6, to: { candidate: approx('ignore-stragglers q=4'), workers: WORKERS } },
        { round: 9, to: { candidate: candidate('speculative q=0.75 ×1.5'), workers: WORKERS } },
      ];
      const session = await lc.master.cluster.openJob({ kind: 'least-squares' });
      try {
        const setup = await setUpAdaptiveLeastSquares(session, A, b, {
          jobId: 'adaptive-round-trip',
          seed: 1,
          policy: choosePolicy({ name: 'adaptive', approximate: true, period: 1, budget: 1 }),
          normal,
          tol: 0,
          maxRounds: 14,
          log: lc.master.log,
          metrics: lc.master.metrics,
          labels: session.labels,
          decider: new ScriptedDecider({ candidate: candidate('wait-all'), workers: WORKERS }, script),
        });
        // Before the fix, the third re-plan believed the dropped backup copies were still held and
        // the next round failed with "block ... is not stored on this worker".
        const res = await steepestDescent(setup.oracle, normal, { step: 'line-search', stop: { tol: 0, maxRounds: 14, timeLimit: 60 } });
        await setup.release();
        expect(res.rounds).toBe(14);
        const list = setup.adaptive().replans.list;
        expect(list.map((r) => r.to)).toEqual(['speculative q=0.75 ×1.5', 'ignore-stragglers q=4', 'speculative q=0.75 ×1.5']);
        expect(list[1]!.blocksDropped).toBeGreaterThan(0);
        // The copies dropped for ignore-stragglers are streamed again, as many rows as the first time.
        expect(list[2]!.rowsPlaced).toBe(list[0]!.rowsPlaced);
        expect(list[2]!.bytesPlaced).toBe(list[0]!.bytesPlaced);
      } finally {
        await session.close();
      }
    });
  });

  it('with one persistently slow worker (a chaos delay on worker 3) the adaptive scheme routes around or leaves it out, saying why', async () => {
    await withLocalCluster({ workers: N }, async (lc) => {
      const info = vi.spyOn(lc.master.log, 'info');
      const job = jobOf('least-squares', {
        data: { synthetic: { kind: 'student-t', rows: 2400, cols: 16, seed: 2, df: 2.2 } },
        // Learning from the rounds alone (the declared delay would tell it from the start: next test).
        scheme: { name: 'adaptive', period: 3, budget: 0.5, simulate: 100, prior: false },
        workers: N,
        chaos: { delay: { dist: 'constant', value: 0.04 }, workers: [3], seed: 1 },
        stop: { tol: 1e-10, maxRounds: 400, timeLimit: 120 },
      });
      const out = await runJob(job, jobContext(lc));
      const a = out.result.adaptive!;
      expect(out.result.stoppedBy).toBe('tol');
      // Exact plans throughout: the answer is the direct solve's.
      expect(out.result.relErrorVsDirect).toBeLessThan(1e-6);
      expect(a.replans.count).toBeGreaterThanOrEqual(1);
      const last = a.decisions[a.decisions.length - 1]!;
      // Either worker 3 is left out, or the plan no longer waits for it alone (every block also elsewhere).
      expect(last.to).not.toBe('wait-all');
      expect(a.decisions.some((d) => d.replan && /worker 3/.test(d.reason + d.to))).toBe(true);
      // Every decision was logged with its reason.
      const logged = info.mock.calls.map((c) => String(c[1] ?? c[0]));
      for (const d of a.decisions) expect(logged).toContain(`adaptive: ${d.reason}`);
      // The runtime model saw worker 3 as the slow one.
      const w3 = a.runtime.workers.find((w) => w.worker === 3)!;
      expect(w3.relativeSpeed).toBeGreaterThan(3);
      const metrics = await lc.master.promRegistry.getMetricsAsJSON();
      const value = (name: string) => metrics.find((m) => m.name === name)?.values ?? [];
      expect(value('coda_adaptive_replans_total').reduce((s, v) => s + v.value, 0)).toBe(a.replans.count);
      expect(value('coda_adaptive_scheme_info').filter((v) => v.value === 1).map((v) => v.labels.placement)).toEqual([a.final]);
      expect(value('coda_runtime_worker_slowness_ratio').find((v) => v.labels.worker === '3')!.value).toBeGreaterThan(3);
    });
  });

  it('with the declared delay as its prior it starts without the slow worker (no round waits for it); a declared per-task delay is run side by side', async () => {
    await withLocalCluster({ workers: N }, async (lc) => {
      const job = jobOf('least-squares', {
        data: { synthetic: { kind: 'student-t', rows: 2400, cols: 16, seed: 2, df: 2.2 } },
        scheme: { name: 'adaptive', period: 3, budget: 0.5, simulate: 100 },
        workers: N,
        chaos: { delay: { dist: 'constant', value: 0.04 }, workers: [3], seed: 1 },
        stop: { tol: 1e-10, maxRounds: 400, timeLimit: 120 },
      });
      const out = await runJob(job, jobContext(lc));
      const a = out.result.adaptive!;
      expect(out.result.stoppedBy).toBe('tol');
      expect(out.result.relErrorVsDirect).toBeLessThan(1e-6);
      expect(a.startedFromPrior).toBe(true);
      expect(a.decisions[0]!.round).toBe(0);
      expect(a.decisions[0]!.reason).toMatch(/^round 0 \(declared delays, before any round\): worker 3 at .* \(declared\)/);
      // Without worker 3, or on every worker under a plan whose rounds never need its answer (the
      // calibrated answer overheads may favour waiting for fewer answers over leaving it out).
      expect(a.decisions[0]!.to).toMatch(/without worker 3|^(replication|frc)/);
      // The answers' overheads were calibrated on every worker before that decision.
      expect(a.calibration).toMatchObject({ rounds: 2 });
      // Every worker's answer, but one a loaded machine holds past the round's timeout (cut off).
      expect(a.calibration!.answers).toBeGreaterThan(0);
      expect(a.calibration!.answers).toBeLessThanOrEqual(a.calibration!.roundsKept * N);
      expect(a.calibration!.overhead!.p50).toBeGreaterThan(0);
      // The first rounds never waited for worker 3 (later ones may take it back after probes, or
      // re-plan around workers a loaded machine slows: that is the policy at work, not the prior).
      const untilFirstReplan = a.replans.list[0]?.round ?? Infinity;
      expect(out.result.history.filter((h) => h.round <= untilFirstReplan).every((h) => h.arrivals.every((x) => x.worker !== 3))).toBe(true);
      expect(a.replans.list.every((r) => !/^wait-all$/.test(r.to))).toBe(true);
      expect(a.runtime.prior.samplesPerWorker).toBe(20);
      expect(a.runtime.execution).toBe('sequential');
      const perTask = await runJob(
        jobOf('least-squares', {
          data: { synthetic: { kind: 'student-t', rows: 2400, cols: 16, seed: 2, df: 2.2 } },
          scheme: { name: 'adaptive', period: 3, simulate: 100 },
          workers: N,
          chaos: { delay: { dist: 'lambda-tail', base: 0.002, per: 'task' }, seed: 1 },
          stop: { tol: 1e-6, maxRounds: 200, timeLimit: 60 },
        }),
        jobContext(lc),
      );
      expect(perTask.result.adaptive!.runtime.execution).toBe('parallel');
    });
  });
});
