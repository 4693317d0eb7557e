import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { JobSeriesRetention, MasterMetrics } from '../../../master/metrics';

async function jobIds(registry: Registry): Promise<string[]> {
  const ids = new Set<string>();
  for (const m of await registry.getMetricsAsJSON()) for (const v of m.values) if (typeof v.labels.job_id === 'string') ids.add(v.labels.job_id);
  return [...ids].sort();
}

describe('finished jobs\' metric series', () => {
  it('forgetJob removes every series of that job (every label set of every job-labelled metric) and nothing else', async () => {
    const registry = new Registry();
    const m = new MasterMetrics(registry);
    for (const id of ['a', 'b']) {
      m.rounds.inc({ scheme: 'wait-all', job_kind: 'least-squares', job_id: id });
      m.rounds.inc({ scheme: 'frc', job_kind: 'least-squares', job_id: id });
      for (const w of ['0', '1']) m.runtimeSlowness.set({ job_kind: 'least-squares', job_id: id, worker: w }, 1);
      m.adaptiveScheme.set({ job_kind: 'least-squares', job_id: id, scheme: 'replication', placement: 'r=2' }, 1);
      m.residual.set({ job_kind: 'least-squares', job_id: id }, 1e-3);
    }
    m.tasks.inc({ worker: '0', kind: 'lsGradient', scheme: 'frc', outcome: 'answered' });
    await m.forgetJob('a');
    expect(await jobIds(registry)).toEqual(['b']);
    expect((await m.rounds.get()).values).toHaveLength(2);
    expect((await m.tasks.get()).values).toHaveLength(1);
  });

  it('forgetJob knows every job-labelled metric MasterMetrics has (its list is written by hand: a new one must join it)', async () => {
    const registry = new Registry();
    const m = new MasterMetrics(registry);
    let labelled = 0;
    for (const metric of Object.values(m) as unknown[]) {
      if (!(metric instanceof Counter || metric instanceof Gauge || metric instanceof Histogram)) continue;
      const names = (metric as unknown as { labelNames: string[] }).labelNames;
      if (!names.includes('job_id')) continue;
      labelled++;
      for (const id of ['a', 'b']) {
        const labels = Object.fromEntries(names.map((n) => [n, n === 'job_id' ? id : 'x']));
        if (metric instanceof Histogram) metric.observe(labels, 1);
        else if (metric instanceof Gauge) metric.set(labels, 1);
        else metric.inc(labels);
      }
    }
    expect(labelled).toBeGreaterThanOrEqual(12);
    await m.forgetJob('a');
    expect(await jobIds(registry)).toEqual(['b']);
  });

  it('a finished job keeps its series for the retention time, and at most keepJobs finished jobs keep theirs', async () => {
    const registry = new Registry();
    const m = new MasterMetrics(registry);
    const retention = new JobSeriesRetention(m, 0.2, 2);
    for (const id of ['a', 'b', 'c']) m.residual.set({ job_kind: 'least-squares', job_id: id }, 1);
    retention.jobFinished('a');
    retention.jobFinished('b');
    await new Promise((r) => setTimeout(r, 20));
    expect(await jobIds(registry)).toEqual(['a', 'b', 'c']);
    retention.jobFinished('c'); // three finished, two kept: the oldest goes now
    await new Promise((r) => setTimeout(r, 20));
    expect(await jobIds(registry)).toEqual(['b', 'c']);
    await new Promise((r) => setTimeout(r, 400));
    expect(await jobIds(registry)).toEqual([]);
    retention.close();
  });
});
