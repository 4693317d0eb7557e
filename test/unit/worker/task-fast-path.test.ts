import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../shared/log';
import { createRegistry } from '../../../shared/metrics';
import type { pb } from '../../../shared/wire';
import { ChaosInjector } from '../../../worker/chaos-injector';
import type { ComputeEngine } from '../../../worker/compute';
import { CorePool } from '../../../worker/core-pool';
import { WorkerMetrics } from '../../../worker/metrics';
import { TaskCancel, type TaskCancellation } from '../../../worker/task-cancel';
import { runTask, type RunnerDeps } from '../../../worker/task-runner';

/** A cancellation that counts how often its signal was asked for. */
class CountingCancel implements TaskCancellation {
  readonly inner = new TaskCancel();
  signals = 0;
  get aborted(): boolean {
    return this.inner.aborted;
  }
  get signal(): AbortSignal {
    this.signals++;
    return this.inner.signal;
  }
}

function deps(): { deps: RunnerDeps; metrics: WorkerMetrics; chaos: ChaosInjector } {
  const metrics = new WorkerMetrics(createRegistry('worker', {}, 'never'));
  const chaos = new ChaosInjector();
  const compute = {} as ComputeEngine; // a no-op never reaches the compute side
  return { deps: { compute, chaos, cores: new CorePool(), metrics, log: createLogger('worker'), index: () => 3, crash: () => undefined }, metrics, chaos };
}

const noop = (slot: number): pb.TaskRequest__Output => ({ jobId: 'j', round: '1', slot, blocks: [], work: 1, kind: 'noop', noop: {} }) as unknown as pb.TaskRequest__Output;

async function count(m: WorkerMetrics, outcome: string): Promise<number> {
  return (await m.tasks.get()).values.find((v) => v.labels.kind === 'noop' && v.labels.outcome === outcome)?.value ?? 0;
}

describe('TaskCancel: an AbortSignal made only when a wait asks for it', () => {
  it('aborted before its signal is made: the signal comes aborted, with the reason', () => {
    const c = new TaskCancel();
    expect(c.aborted).toBe(false);
    expect(c.reason).toBeUndefined();
    c.abort('cancelled-by-master');
    c.abort('later');
    expect(c.aborted).toBe(true);
    expect(c.signal.aborted).toBe(true);
    expect(c.signal.reason).toBe('cancelled-by-master');
    expect(c.reason).toBe('cancelled-by-master');
  });

  it('a signal made first aborts with the task, once; no reason gives an AbortError as AbortController does', () => {
    const c = new TaskCancel();
    const s = c.signal;
    let fired = 0;
    s.addEventListener('abort', () => fired++);
    c.abort();
    c.abort('again');
    expect(fired).toBe(1);
    expect(s.aborted).toBe(true);
    expect((c.reason as Error).name).toBe('AbortError');
  });
});

describe('a no-op task without delay answers without a signal, and every task is counted', () => {
  it('answers an empty payload and asks for no signal (no chaos: no timer, a free core)', async () => {
    const { deps: d, metrics } = deps();
    const cancels = Array.from({ length: 50 }, () => new CountingCancel());
    const outs = await Promise.all(cancels.map((c, slot) => runTask(d, noop(slot), c)));
    for (const [slot, out] of outs.entries()) {
      expect(out.type).toBe('result');
      if (out.type !== 'result') continue;
      expect(out.result.slot).toBe(slot);
      expect(out.result.workerIndex).toBe(3);
      expect(out.result.payload?.shape).toEqual([0]);
      expect(out.result.payload?.data?.length).toBe(0);
    }
    expect(cancels.map((c) => c.signals)).toEqual(cancels.map(() => 0));
    expect(await count(metrics, 'ok')).toBe(50);
    expect((await metrics.injectedDelaySeconds.get()).values.find((v) => v.metricName === 'coda_worker_injected_delay_seconds_count')?.value).toBe(50);
  });

  it('a task cancelled before it starts is silent and counted as cancelled', async () => {
    const { deps: d, metrics } = deps();
    const c = new TaskCancel();
    c.abort('cancelled-by-master');
    expect(await runTask(d, noop(0), c)).toEqual({ type: 'silent' });
    expect(await count(metrics, 'cancelled')).toBe(1);
  });

  it('a task waiting for a core asks for its signal and ends when cancelled', async () => {
    const { deps: d, metrics } = deps();
    d.cores.size = 1;
    expect(d.cores.tryAcquire()).toBe(true); // the only core is taken
    const c = new CountingCancel();
    const out = runTask(d, noop(1), c);
    await new Promise((r) => setTimeout(r, 5));
    expect(c.signals).toBeGreaterThan(0);
    c.inner.abort('cancelled-by-master');
    expect(await out).toEqual({ type: 'silent' });
    expect(await count(metrics, 'cancelled')).toBe(1);
    d.cores.release();
  });

  it('sleepOrNow: no timer planned is answered at once (false once cancelled); a timer is a promise', async () => {
    const chaos = new ChaosInjector();
    const c = new TaskCancel();
    expect(chaos.sleepOrNow(0, c)).toBe(true);
    const later = chaos.sleepOrNow(0.002, c);
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toBe(true);
    c.abort();
    expect(chaos.sleepOrNow(0, c)).toBe(false);
  });
});
