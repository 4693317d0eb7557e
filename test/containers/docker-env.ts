import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { join, resolve } from 'node:path';
import { GenericContainer, Wait, type StartedNetwork, type StartedTestContainer } from 'testcontainers';

/**
 * The Docker engine for the container tests, and the images they run: the local base image
 * (deploy/docker/build-base-image.sh, no registry needed), the Coda image built from
 * deploy/docker/Dockerfile on top of it with the host's dist/ (npm test builds it first), and a
 * Prometheus image from Debian's package for the compose file.
 *
 * No engine: the layer is skipped with a loud line, unless CODA_REQUIRE_DOCKER=1 (CI), where
 * the tests fail instead.
 */

export const REPO = resolve(__dirname, '../..');
export const CODA_TEST_IMAGE = process.env.CODA_TEST_IMAGE ?? 'coda:test';
export const BASE_IMAGE = process.env.CODA_BASE_IMAGE ?? 'coda-base:local';
export const PROMETHEUS_IMAGE = process.env.CODA_PROMETHEUS_IMAGE ?? 'coda-prometheus:local';
const INSTALL = 'apt-get install -y docker.io docker-compose busybox-static && (setsid dockerd >/tmp/dockerd.log 2>&1 </dev/null &)';

process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';

export function dockerAvailable(): boolean {
  return spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 15_000 }).status === 0;
}

/**
 * true when the container tests should run; false (after a loud line) when they should skip.
 * Throws when CODA_REQUIRE_DOCKER=1 and there is no engine.
 */
export function requireDocker(layer: string): boolean {
  if (dockerAvailable()) return true;
  const msg = `[${layer}] no Docker engine: container tests SKIPPED. Install and start one: ${INSTALL}`;
  if (process.env.CODA_REQUIRE_DOCKER === '1') throw new Error(`${msg} (CODA_REQUIRE_DOCKER=1 makes this a failure)`);
  console.warn(`\n${'!'.repeat(100)}\n${msg}\n${'!'.repeat(100)}\n`);
  return false;
}

export function imageExists(name: string): boolean {
  return spawnSync('docker', ['image', 'inspect', name], { stdio: 'ignore' }).status === 0;
}

/** Async, so a long build does not starve vitest's worker RPC. */
async function sh(cmd: string, args: string[]): Promise<void> {
  await promisify(execFile)(cmd, args, { cwd: REPO, timeout: 300_000, maxBuffer: 32 << 20 });
}

/**
 * The image carries the native kernels when the host built them (npm ci with libopenblas-dev):
 * the addon goes in with dist/, OpenBLAS with the base image. CODA_REQUIRE_NATIVE=1 insists.
 */
export const NATIVE_IN_IMAGE = existsSync(join(REPO, 'build', 'Release', 'coda_blas.node')) || process.env.CODA_REQUIRE_NATIVE === '1';

/** A local base image from before it carried OpenBLAS is rebuilt when the native kernels need it. */
function baseImageUsable(): boolean {
  if (!imageExists(BASE_IMAGE)) return false;
  if (!NATIVE_IN_IMAGE || !BASE_IMAGE.endsWith(':local')) return true;
  const label = spawnSync('docker', ['image', 'inspect', '-f', '{{ index .Config.Labels "org.coda.base.openblas" }}', BASE_IMAGE], { encoding: 'utf8' });
  return label.stdout.trim() === 'yes';
}

/**
 * The kernel backend a worker container reported in its "listening on" line, printed so the
 * test output says what the containers computed with.
 */
export function reportContainerKernels(layer: string, logs: string): string {
  const m = /kernels: (\w+)(?: \([^)]*\))?/.exec(logs);
  console.log(`[${layer}] worker containers compute with ${m ? m[0].slice('kernels: '.length) : 'an unreported kernel backend'}`);
  return m?.[1] ?? 'unreported';
}

/** The local base image (deploy/docker/build-base-image.sh), built when missing or stale. */
export async function ensureBaseImage(): Promise<string> {
  if (!baseImageUsable()) await sh('bash', ['deploy/docker/build-base-image.sh', BASE_IMAGE]);
  return BASE_IMAGE;
}

/** Builds the base image if missing, then the Coda image from the current dist/ (cached layers). */
export async function buildCodaImage(): Promise<string> {
  await ensureBaseImage();
  await sh('docker', [
    'build', '-q', '-f', 'deploy/docker/Dockerfile',
    '--build-arg', `BASE_IMAGE=${BASE_IMAGE}`, '--build-arg', 'PREBUILT=1',
    '-t', CODA_TEST_IMAGE, '.',
  ]);
  return CODA_TEST_IMAGE;
}

export async function buildPrometheusImage(): Promise<string> {
  if (!imageExists(PROMETHEUS_IMAGE)) await sh('bash', ['deploy/docker/build-prometheus-image.sh', PROMETHEUS_IMAGE]);
  return PROMETHEUS_IMAGE;
}

/** Removes what a test left: containers, networks and named volumes with the label, by id only. */
export function removeLabelled(label: string): void {
  const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=${label}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
  if (ids.length) spawnSync('docker', ['rm', '-f', '-v', ...ids], { stdio: 'ignore' });
  const nets = execFileSync('docker', ['network', 'ls', '-q', '--filter', `label=${label}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
  if (nets.length) spawnSync('docker', ['network', 'rm', ...nets], { stdio: 'ignore' });
  const volumes = execFileSync('docker', ['volume', 'ls', '-q', '--filter', `label=${label}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
  if (volumes.length) spawnSync('docker', ['volume', 'rm', '-f', ...volumes], { stdio: 'ignore' });
}

export async function pollUntil<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A worker container on `network` asking for index `index` from the master at master:7070. */
export function startWorkerContainer(image: string, network: StartedNetwork, labels: Record<string, string>, index: number): Promise<StartedTestContainer> {
  return new GenericContainer(image)
    .withNetwork(network)
    .withLabels({ ...labels, 'coda.role': 'worker' })
    .withCommand(['worker', '--master=master:7070', '--host=0.0.0.0', '--port=7070', '--metrics-port=9464', `--index=${index}`])
    .withWaitStrategy(Wait.forLogMessage(/worker \d+ listening on/))
    .withStartupTimeout(60_000)
    .start();
}
