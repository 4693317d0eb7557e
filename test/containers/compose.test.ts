import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port';
import { NATIVE_IN_IMAGE, REPO, buildCodaImage, buildPrometheusImage, pollUntil, reportContainerKernels, requireDocker } from './docker-env';

/**
 * The compose file, as a user runs it: up (with the local base image, scaled to 5 workers),
 * the master runs the demo job named in the file and writes its result to the mounted folder,
 * Prometheus scrapes the master and every worker; then down.
 */
const run = requireDocker('compose');

/** docker-compose v1 (Debian's 1.29) or the `docker compose` plugin, whichever is here. */
function composeCli(): string[] | undefined {
  if (spawnSync('docker-compose', ['version', '--short'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return ['docker', 'compose'];
  return undefined;
}
const compose = run ? composeCli() : undefined;
if (run && !compose) {
  const msg = '[compose] neither docker-compose nor `docker compose` found: compose test SKIPPED. Install: apt-get install -y docker-compose';
  if (process.env.CODA_REQUIRE_DOCKER === '1') throw new Error(msg);
  console.warn(`\n${msg}\n`);
}

describe.skipIf(!run || !compose)('docker-compose.yml', () => {
  const project = `codacompose${process.pid}`;
  const WORKERS = 5;
  let env: NodeJS.ProcessEnv;
  let out: string;

  // Async: a blocking call would starve vitest's worker RPC during a long `up` or `down`.
  const dc = async (args: string[], timeout = 180_000): Promise<string> =>
    (await promisify(execFile)(compose![0]!, [...compose!.slice(1), '-p', project, ...args], { cwd: REPO, env, encoding: 'utf8', timeout, maxBuffer: 32 << 20 })).stdout;

  beforeAll(async () => {
    const image = await buildCodaImage();
    const prometheus = await buildPrometheusImage();
    out = mkdtempSync(join(tmpdir(), 'coda-compose-out-'));
    chmodSync(out, 0o777);
    env = {
      ...process.env,
      CODA_IMAGE: image,
      PROMETHEUS_IMAGE: prometheus,
      CODA_OUT: out,
      CODA_WORKERS: String(WORKERS),
      CODA_MASTER_PORT: String(await freePort()),
      CODA_MASTER_METRICS_PORT: String(await freePort()),
      CODA_PROMETHEUS_PORT: String(await freePort()),
    };
    await dc(['config', '-q']);
    await dc(['up', '-d', '--no-build', '--scale', `worker=${WORKERS}`]);
  }, 300_000);

  afterAll(async () => {
    if (!env) return;
    try {
      await dc(['down', '-v', '--remove-orphans', '-t', '2'], 120_000);
    } finally {
      if (out) rmSync(out, { recursive: true, force: true });
    }
  }, 150_000);

  it(`runs the demo job on ${WORKERS} workers and writes the result to the mounted folder`, async () => {
    const resultFile = join(out, 'result.json');
    await pollUntil('result.json from the compose master', () => (existsSync(resultFile) ? true : undefined), 150_000, 500);
    const result = JSON.parse(readFileSync(resultFile, 'utf8'));
    expect(result.job).toBe('least-squares');
    expect(result.workers).toBe(WORKERS);
    expect(result.stoppedBy).toBe('tol');
    expect(result.relErrorVsDirect).toBeLessThan(1e-7);
    expect(existsSync(join(out, 'x.npy'))).toBe(true);
    expect(await dc(['logs', 'master'])).toMatch(/results in \/out/);
    const workerLogs = await dc(['logs', '--no-color', 'worker']);
    expect(workerLogs.match(/listening on .*kernels: \w+/g) ?? []).toHaveLength(WORKERS);
    expect(reportContainerKernels('compose', workerLogs)).toBe(NATIVE_IN_IMAGE ? 'native' : 'js');
    expect(workerLogs).not.toMatch(NATIVE_IN_IMAGE ? /kernels: js/ : /kernels: native/);
  }, 180_000);

  it('Prometheus in the compose file scrapes the master and every worker', async () => {
    const url = `http://127.0.0.1:${env.CODA_PROMETHEUS_PORT}/api/v1/query?query=${encodeURIComponent('count by (job) (up == 1)')}`;
    const up = await pollUntil(
      'Prometheus to see the master and all workers up',
      async () => {
        try {
          const body = (await (await fetch(url)).json()) as { data: { result: { metric: { job: string }; value: [number, string] }[] } };
          const byJob = Object.fromEntries(body.data.result.map((r) => [r.metric.job, Number(r.value[1])]));
          return byJob['coda-master'] === 1 && byJob['coda-worker'] === WORKERS ? byJob : undefined;
        } catch {
          return undefined;
        }
      },
      60_000,
      1000,
    );
    expect(up).toEqual({ 'coda-master': 1, 'coda-worker': WORKERS });
    const q = `http://127.0.0.1:${env.CODA_PROMETHEUS_PORT}/api/v1/query?query=${encodeURIComponent('sum(coda_rounds_total)')}`;
    const rounds = await pollUntil('coda_rounds_total in Prometheus', async () => {
      const body = (await (await fetch(q)).json()) as { data: { result: { value: [number, string] }[] } };
      const v = Number(body.data.result[0]?.value[1] ?? 0);
      return v > 0 ? v : undefined;
    }, 30_000, 1000);
    expect(rounds).toBeGreaterThan(0);
  }, 120_000);
});
