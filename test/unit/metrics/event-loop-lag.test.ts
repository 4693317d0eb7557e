import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegistry, EventLoopLagMonitor, registerEventLoopLagMetric, worstEventLoopLag } from '../../../shared/metrics';
import { staleDist } from '../../helpers/dist-fresh';

/** Blocks the event loop for `ms` (what a factorization on the loop does). */
function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('event-loop lag', () => {
  it('a deliberately blocked loop shows up in the window; the window ends at stop()', async () => {
    const lag = new EventLoopLagMonitor().start();
    expect(lag.running).toBe(true);
    await sleep(50);
    block(250);
    await sleep(50);
    const during = lag.read();
    const w = lag.stop();
    expect(lag.running).toBe(false);
    // About 0.25 s beyond the 10 ms sampling interval; a loaded machine only adds to it.
    expect(w.max).toBeGreaterThanOrEqual(0.2);
    expect(w.p99).toBeLessThanOrEqual(w.max);
    expect(w.max).toBeGreaterThanOrEqual(during.max);
    // Stopped: no more samples, the same figures.
    block(100);
    await sleep(20);
    expect(lag.read()).toEqual(w);
  });

  it('a new window forgets the old one; an empty window reads 0', async () => {
    const lag = new EventLoopLagMonitor().start();
    expect(lag.read()).toEqual({ p99: 0, max: 0 });
    await sleep(20);
    block(250);
    await sleep(30);
    expect(lag.read().max).toBeGreaterThanOrEqual(0.2);
    lag.start();
    expect(lag.stop()).toEqual({ p99: 0, max: 0 });
    expect(() => new EventLoopLagMonitor(0)).toThrow(RangeError);
  });

  it('reads between two samples are the same figures (cached on the sample count); a new sample is seen at once', async () => {
    const lag = new EventLoopLagMonitor().start();
    await sleep(30);
    const a = lag.read();
    // No timer can fire within one synchronous stretch: no new sample, the same (cached) figures.
    expect(lag.read()).toBe(a);
    block(150);
    await sleep(25);
    const b = lag.read();
    expect(b).not.toBe(a);
    expect(b.max).toBeGreaterThanOrEqual(0.1);
    lag.start();
    expect(lag.read()).toEqual({ p99: 0, max: 0 });
    lag.stop();
  });

  it('the worst over workers takes the largest p99 and the largest max', () => {
    expect(worstEventLoopLag([])).toEqual({ p99: 0, max: 0 });
    expect(
      worstEventLoopLag([
        { p99: 0.001, max: 0.5 },
        { p99: 0.02, max: 0.03 },
      ]),
    ).toEqual({ p99: 0.02, max: 0.5 });
  });

  it('coda_event_loop_lag_seconds: labelled by role and quantile, each scrape its own window', async () => {
    const registry = createRegistry('master', {}, 'never');
    const stop = registerEventLoopLagMetric(registry);
    await sleep(20);
    block(250);
    await sleep(30);
    const first = await registry.getSingleMetricAsString('coda_event_loop_lag_seconds');
    const value = (text: string, q: string): number => Number(new RegExp(`quantile="${q}"[^}]*} ([\\d.e+-]+)`).exec(text)![1]);
    expect(first).toMatch(/role="master"/);
    expect(value(first, '1')).toBeGreaterThanOrEqual(0.2);
    expect(value(first, '0.99')).toBeLessThanOrEqual(value(first, '1'));
    await sleep(30);
    const second = await registry.getSingleMetricAsString('coda_event_loop_lag_seconds');
    expect(value(second, '1')).toBeLessThan(0.2); // the block was in the previous scrape's window
    stop();
    expect(registry.getSingleMetric('coda_event_loop_lag_seconds')).toBeUndefined();
  });

  it('a running monitor does not keep the process alive', () => {
    const stale = staleDist(); // the child runs the compiled module
    if (stale) throw new Error(stale);
    const src = join(__dirname, '..', '..', '..', 'dist', 'shared', 'metrics', 'event-loop-lag.js');
    const p = spawnSync(process.execPath, ['-e', `new (require(${JSON.stringify(src)}).EventLoopLagMonitor)().start(); console.log('started')`], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(p.signal, p.stderr).toBeNull();
    expect(p.stdout).toBe('started\n');
  });
});
