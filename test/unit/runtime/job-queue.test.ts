import { describe, expect, it } from 'vitest';
import { JobQueue } from '../../../master/cluster/job-queue';
import { heartbeatIntervalSeconds, heartbeatTimeoutSeconds } from '../../../master/cluster/liveness';

describe('JobQueue: jobs on one master run one at a time, in order, visibly', () => {
  it('admits the first at once, the others when the one before leaves; a cancelled waiter leaves the line', async () => {
    const seen: string[] = [];
    const q = new JobQueue((s) => seen.push(`${s.running?.id ?? '-'}|${s.queued.map((j) => j.id).join(',')}`));
    const order: string[] = [];
    await q.enter({ id: 'a', kind: 'k' });
    const b = q.enter({ id: 'b', kind: 'k' }).then(() => order.push('b'));
    const abort = new AbortController();
    const c = q.enter({ id: 'c', kind: 'k' }, abort.signal).catch((e: Error) => order.push(`c: ${e.message}`));
    const d = q.enter({ id: 'd', kind: 'k' }).then(() => order.push('d'));
    expect(q.status().queued.map((j) => j.id)).toEqual(['b', 'c', 'd']);
    abort.abort();
    await c;
    q.leave({ id: 'a', kind: 'k' });
    await b;
    expect(q.status().running?.id).toBe('b');
    q.leave({ id: 'b', kind: 'k' });
    await d;
    q.leave({ id: 'd', kind: 'k' });
    expect(order).toEqual(['c: job c was cancelled while queued', 'b', 'd']);
    expect(q.status()).toEqual({ running: undefined, queued: [] });
    expect(seen[0]).toBe('a|');
    expect(seen).toContain('a|b,c,d');
  });
});

describe('liveness: Dask\'s heartbeat interval rule', () => {
  it('0.5 s to 10 workers, 1 s to 50, 2 s to 200, then n/200 + 1 s: at most ~200 beats a second', () => {
    const expected = [0.5, 0.5, 1, 1, 2, 2, 2.28, 6];
    [1, 10, 11, 50, 51, 200, 256, 1000].forEach((n, i) => expect(heartbeatIntervalSeconds(n)).toBeCloseTo(expected[i]!, 12));
    for (const n of [10, 50, 200, 256, 500, 2000]) expect(n / heartbeatIntervalSeconds(n)).toBeLessThanOrEqual(200);
    expect(heartbeatTimeoutSeconds(256, 6)).toBeCloseTo(6.84, 10);
    expect(heartbeatTimeoutSeconds(8, 6)).toBe(6);
  });
});
