import { describe, expect, it } from 'vitest';
import { runJob } from '../../master';
import type { Placed } from '../../master/cluster/placed-plan';
import { evenBlockStarts, mapPlanToLive } from '../../core/schemes/placement';
import { taskRequest } from '../../master/cluster/task-request';
import type { TaskPayload } from '../../algorithms/compute-cluster';
import { WorkerConnection } from '../../master/cluster/worker-client';
import { lookupScheme } from '../../core/schemes';
import { jobOf } from '../../master';
import { lsGradient } from '../../shared/kernels';
import { Rng } from '../../shared/random';
import { matrix } from '../../shared/tensor';
import { tensorValues } from '../../shared/wire';
import { processAlive, withLocalCluster } from '../helpers/cluster-fixture';
import { jobContext } from '../helpers/job-context';

const NO_FAULTS = { dropProbability: 0, hangProbability: 0, crashAfterTasks: 0 };

function problem(rows: number, cols: number, seed: number) {
  const rng = new Rng(seed);
  const A = matrix(rows, cols, Float64Array.from({ length: rows * cols }, () => rng.normal()));
  const b = Float64Array.from({ length: rows }, () => rng.normal());
  const x = Float64Array.from({ length: cols }, () => rng.normal());
  return { A, b, x };
}

describe('the task stream (one message a round per worker, answers per slot)', () => {
  it('every scheme decodes the same answer through the stream as through unary RunTask calls, on the same seeds', async () => {
    await withLocalCluster({ workers: 6 }, async (lc) => {
      const { A, b, x } = problem(240, 8, 3);
      const session = await lc.master.cluster.openJob({ kind: 'test' });
      const conns = new Map(lc.master.registry.alive().map((w) => [w.index, new WorkerConnection(w.index, w.address, undefined)]));
      try {
        const cases: [string, Record<string, unknown>][] = [
          ['wait-all', {}],
          ['ignore-stragglers', { q: 4 }],
          ['speculative', {}],
          ['replication', { r: 2 }],
          ['frc', { stragglers: 1 }],
          ['leverage', { q: 4 }],
          ['mds', { n: 6, k: 4 }],
        ];
        for (const [name, params] of cases) {
          const scheme = lookupScheme(name);
          const p = scheme.choose(params);
          const K = p.defaultBlocks(6);
          const starts = evenBlockStarts(A.rows, K);
          const plan = p.plan({ workers: 6, blocks: K, blockRows: starts.slice(1).map((e, j) => e - starts[j]!), rng: new Rng(5), data: { rows: A.rows, cols: A.cols, A: A.data } });
          mapPlanToLive(plan, session.liveWorkers());
          const placed = (await session.place(`eq-${name}`, plan, { A, b, blockStarts: starts })) as Placed;
          const payload: TaskPayload = plan.taskKinds?.includes('matvec') ? { kind: 'matvec', x } : { kind: 'lsGradient', x };
          const streamed = await session.round(placed, payload);
          // The same slots through unary calls, fed to a fresh decoder in the stream's arrival order.
          const unary = new Map<number, Float64Array>();
          for (const a of streamed.arrivals) {
            const res = await conns.get(a.worker)!.runTask(taskRequest(placed, a.slot, 10_000 + a.slot, payload), 10).promise;
            unary.set(a.slot, tensorValues(res.payload, 'unary result'));
          }
          const dec = plan.decoder();
          for (const a of streamed.arrivals) if (dec.add(a.slot, unary.get(a.slot)!)) break;
          const viaUnary = dec.decode();
          expect(Array.from(viaUnary.value), name).toEqual(Array.from(streamed.decoded.value));
          expect(viaUnary.used, name).toEqual(streamed.decoded.used);
          await session.release(placed);
        }
      } finally {
        for (const c of conns.values()) c.close();
        await session.close();
      }
    });
  });

  it('a worker killed mid-round (SIGKILL while its task sleeps) is relocated around; wait-all stays exact', async () => {
    await withLocalCluster({ workers: 4 }, async (lc) => {
      const { A, b, x } = problem(200, 6, 4);
      const session = await lc.master.cluster.openJob({ kind: 'test' });
      try {
        await session.setChaos({ delay: { dist: 'constant', value: 0.8 }, fault: NO_FAULTS, seed: 1, cores: 1 });
        const scheme = lookupScheme('wait-all');
        const starts = evenBlockStarts(A.rows, 4);
        const plan = mapPlanToLive(scheme.choose({}).plan({ workers: 4, blocks: 4, blockRows: [50, 50, 50, 50], rng: new Rng(1) }), session.liveWorkers());
        const placed = await session.place('kill', plan, { A, b, blockStarts: starts });
        const victim = lc.master.registry.get(1)!;
        const pending = session.round(placed, { kind: 'lsGradient', x });
        setTimeout(() => process.kill(victim.pid, 'SIGKILL'), 200);
        const out = await pending;
        expect(processAlive(victim.pid)).toBe(false);
        expect(lc.master.registry.get(1)!.status).toBe('lost');
        expect(out.slotsMoved).toBeGreaterThanOrEqual(1);
        expect(out.arrivals.find((a) => a.slot === 1)!.worker).not.toBe(1);
        const g = lsGradient(A, b, x, new Float64Array(6));
        out.decoded.value.forEach((v, i) => expect(Math.abs(v - g[i]!)).toBeLessThan(1e-9 * (1 + Math.abs(g[i]!))));
        // The next round starts on the new hosts.
        expect(placed.hosts).not.toContain(1);
      } finally {
        await session.close();
      }
    });
  });

  it('a stream cancelled mid-round leaves no running task on the worker', async () => {
    await withLocalCluster({ workers: 1 }, async (lc) => {
      const w = lc.master.registry.get(0)!;
      const c = new WorkerConnection(0, w.address, undefined);
      try {
        await c.configure('t', { delay: { dist: 'constant', value: 30 }, fault: NO_FAULTS, seed: 1, cores: 1 });
        const slots = [0, 1, 2].map((slot) => ({ slot, blocks: [], work: 1 }));
        const open = (round: string) => {
          const call = c.openTasks();
          call.on('error', () => undefined);
          call.write({ round: { jobId: 'j', round, shared: { noop: {} }, slots } });
          return call;
        };
        const cut = open('7');
        const control = open('8');
        // Running (slot 0 sleeping, 1 and 2 waiting for the core) on both streams.
        await new Promise((r) => setTimeout(r, 300));
        cut.cancel();
        // The cancelled stream's tasks end on the worker: nothing of round 7 is left to cancel...
        let left = -1;
        const end = Date.now() + 10_000;
        while (Date.now() < end && (left = await c.cancelTasks('j', '7', [0, 1, 2])) !== 0) await new Promise((r) => setTimeout(r, 50));
        expect(left).toBe(0);
        // ...while the other stream's tasks were still running until cancelled here.
        expect(await c.cancelTasks('j', '8', [0, 1, 2])).toBe(3);
        control.cancel();
      } finally {
        c.close();
      }
    });
  });
});

describe('a large local cluster', () => {
  it('256 workers (8 processes of 32 worker services) start, run a least-squares job exactly, and leave no process behind', async () => {
    await withLocalCluster({ workers: 256, timeoutMs: 120_000 }, async (lc) => {
      expect(lc.workers.length).toBe(8);
      expect(lc.master.registry.alive().length).toBe(256);
      const job = jobOf('least-squares', {
        data: { synthetic: { kind: 'gaussian', rows: 2560, cols: 8, seed: 2 } },
        workers: 256,
        stop: { tol: 1e-8, maxRounds: 200, timeLimit: 120 },
      });
      const out = await runJob(job, jobContext(lc));
      expect(out.result.workers).toBe(256);
      expect(out.result.stoppedBy).toBe('tol');
      expect(out.result.relErrorVsDirect).toBeLessThan(1e-6);
    });
  });
});
