import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port';

/**
 * A real Prometheus (Debian's) scrapes a local process cluster (a master and 4 workers on
 * 127.0.0.1) while it runs a job with stragglers; the test asks Prometheus's HTTP API for the
 * task latency histogram (samples from every worker) and the straggler counter (above zero).
 */
const REPO = resolve(__dirname, '../..');
const PROMETHEUS = process.env.CODA_PROMETHEUS_BIN ?? '/usr/bin/prometheus';
const WORKERS = 4;

function prometheusAvailable(): boolean {
  if (existsSync(PROMETHEUS) && spawnSync(PROMETHEUS, ['--version'], { stdio: 'ignore' }).status === 0) return true;
  const msg = `[monitoring] no Prometheus at ${PROMETHEUS}: monitoring test SKIPPED. Install: apt-get install -y prometheus`;
  if (process.env.CODA_REQUIRE_PROMETHEUS === '1') throw new Error(`${msg} (CODA_REQUIRE_PROMETHEUS=1 makes this a failure)`);
  console.warn(`\n${'!'.repeat(100)}\n${msg}\n${'!'.repeat(100)}\n`);
  return false;
}
const run = prometheusAvailable();

async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const JOB = `
job: least-squares
data:
  synthetic: { kind: gaussian, rows: 1000, cols: 200, seed: 5, noise: 0.01 }
scheme: { name: frc, stragglers: 1 }
workers: ${WORKERS}
chaos:
  delay: { dist: bimodal, p: 0.25, fast: 0.04, slow: 0.25 }
  seed: 9
# A fixed number of rounds of at least 40 ms: the run spans several 1 s scrapes, so rate() over
# the dashboard's window has the two samples it needs however fast the machine is.
stop: { tol: 0, maxRounds: 150, timeLimit: 120 }
`;

describe.skipIf(!run)('monitoring: Prometheus scrapes a local cluster during a run', () => {
  const procs: ChildProcess[] = [];
  let dir: string;
  let promPort: number;

  const start = (args: string[], name: string): ChildProcess => {
    const p = spawn(process.execPath, [join(REPO, 'bin/coda.js'), ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    p.stderr!.on('data', (d: Buffer) => process.stderr.write(`[${name}] ${d}`));
    p.stdout!.resume();
    procs.push(p);
    return p;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'coda-monitoring-'));
    const grpcPort = await freePort();
    const metricsPorts = [await freePort()];
    for (let i = 0; i < WORKERS; i++) metricsPorts.push(await freePort());
    promPort = await freePort();
    writeFileSync(join(dir, 'job.yaml'), JOB);
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        'scrape_configs:',
        '  - job_name: coda-master',
        `    static_configs: [{ targets: ['127.0.0.1:${metricsPorts[0]}'] }]`,
        '  - job_name: coda-worker',
        `    static_configs: [{ targets: [${metricsPorts.slice(1).map((p) => `'127.0.0.1:${p}'`).join(', ')}] }]`,
      ].join('\n'),
    );
    const prom = spawn(
      PROMETHEUS,
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prom.stderr!.resume();
    procs.push(prom);
    await poll('Prometheus ready', async () => ((await fetch(`http://127.0.0.1:${promPort}/-/ready`)).ok ? true : undefined), 30_000);

    start(['master', '--host=127.0.0.1', `--port=${grpcPort}`, `--metrics-port=${metricsPorts[0]}`, '--job=job.yaml', `--min-workers=${WORKERS}`, `--out=${join(dir, 'out')}`], 'master');
    for (let i = 0; i < WORKERS; i++) {
      start(['worker', `--master=127.0.0.1:${grpcPort}`, '--host=127.0.0.1', '--port=0', `--metrics-port=${metricsPorts[i + 1]}`], `worker${i}`);
    }
  }, 60_000);

  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => (p.exitCode !== null ? undefined : new Promise((r) => { const t = setTimeout(() => { p.kill('SIGKILL'); r(undefined); }, 5000); p.once('exit', () => { clearTimeout(t); r(undefined); }); }))));
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const query = async (q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
    const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(`query ${q}: ${JSON.stringify(body)}`);
    return body.data.result;
  };

  it('finds the task latency histogram with samples from every worker and stragglers cut off', async () => {
    await poll('the job to finish', async () => (existsSync(join(dir, 'out', 'result.json')) ? true : undefined), 120_000);
    // Every target was scraped and is up.
    const up = await poll('all targets up', async () => {
      const r = await query('up == 1');
      return r.length === WORKERS + 1 ? r : undefined;
    }, 30_000);
    expect(up.map((r) => r.metric.job).sort()).toEqual(['coda-master', ...Array(WORKERS).fill('coda-worker')]);

    // Latency samples per worker, as the master measured them (label `worker`).
    const perWorker = await poll('task latency from every worker', async () => {
      const r = await query('sum by (worker) (coda_task_duration_seconds_count)');
      return r.length === WORKERS && r.every((x) => Number(x.value[1]) > 0) ? r : undefined;
    }, 30_000);
    expect(perWorker.map((r) => r.metric.worker).sort()).toEqual(['0', '1', '2', '3']);
    const buckets = await query('count(coda_task_duration_seconds_bucket{worker="0"})');
    expect(Number(buckets[0]!.value[1])).toBeGreaterThan(5);
    const p90 = await query('histogram_quantile(0.9, sum by (le, worker) (coda_task_duration_seconds_bucket))');
    expect(p90.length).toBe(WORKERS);

    const stragglers = await poll('stragglers cancelled > 0', async () => {
      const r = await query('sum(coda_stragglers_cancelled_total)');
      const v = Number(r[0]?.value[1] ?? 0);
      return v > 0 ? v : undefined;
    }, 30_000);
    expect(stragglers).toBeGreaterThan(0);
    const rounds = await query('sum(coda_rounds_total)');
    expect(Number(rounds[0]!.value[1])).toBeGreaterThan(0);

    // No label of ours clashes with one Prometheus sets when it scrapes: `job` is the scrape
    // job's name, the job's kind is `job_kind`, and nothing was renamed to exported_*.
    const residual = await query('coda_job_residual');
    expect(residual.map((r) => [r.metric.job, r.metric.job_kind])).toEqual([['coda-master', 'least-squares']]);
    const labels = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/labels`)).json()) as { data: string[] };
    expect(labels.data).toContain('job_kind');
    expect(labels.data.filter((l) => l.startsWith('exported_'))).toEqual([]);
  }, 200_000);

  it('every query of the Grafana dashboard is valid PromQL and the core panels have data', async () => {
    const dash = JSON.parse(readFileSync(join(REPO, 'deploy/grafana/coda-dashboard.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const empty: string[] = [];
    for (const panel of dash.panels) {
      for (const t of panel.targets) {
        const expr = t.expr.replaceAll('$__rate_interval', '1m').replaceAll('$scheme', '.*');
        const r = await query(expr); // throws on a PromQL error
        if (r.length === 0) empty.push(panel.title);
      }
    }
    for (const must of ['Task latency per worker (p50, p90, p99)', 'Stragglers cut off per round', 'Residual / loss', 'Bytes moved']) {
      expect(empty, `panel '${must}' has no data`).not.toContain(must);
    }
  }, 60_000);
});
