import { execFile, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort } from '../helpers/free-port';
import { NATIVE_IN_IMAGE, REPO, buildPrometheusImage, ensureBaseImage, imageExists, pollUntil, reportContainerKernels, requireDocker } from './docker-env';

/**
 * The compose file as a user runs it on a fresh Linux machine: the commands in its header,
 * executed as written (`docker compose` becomes `docker-compose` where only compose v1 is
 * installed, as the header says), in a copy of the checkout, with the documented variables that
 * stand in for a registry (the local base image, the prebuilt app, the local Prometheus image)
 * and free host ports. Between the header's last `up` and its `down`, the cluster is checked as
 * it runs: the result folder Docker created belongs to the master's user, the first job ran on
 * the 4 workers that started and the second on the 8 that `--scale worker=8` started, every
 * worker is healthy (registered), Prometheus scrapes the master and all 8.
 *
 * Not run here: the profile grafana's `up` (no Grafana image can be pulled on this machine); its
 * provisioning files are checked offline in test/deploy/grafana.test.ts.
 */
const run = requireDocker('compose');

/** docker-compose v1 (Debian's 1.29) or the `docker compose` plugin, whichever is here. */
function composeCli(): string | undefined {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return 'docker compose';
  if (spawnSync('docker-compose', ['version', '--short'], { stdio: 'ignore' }).status === 0) return 'docker-compose';
  return undefined;
}
const compose = run ? composeCli() : undefined;
if (run && !compose) {
  const msg = '[compose] neither docker-compose nor `docker compose` found: compose test SKIPPED. Install: apt-get install -y docker-compose';
  if (process.env.CODA_REQUIRE_DOCKER === '1') throw new Error(msg);
  console.warn(`\n${msg}\n`);
}

/** The commands of the header block that starts "On a fresh Linux machine", in order. */
function headerCommands(composeText: string): string[] {
  const lines = composeText.split('\n');
  const start = lines.findIndex((l) => /^# On a fresh Linux machine/.test(l));
  if (start < 0) throw new Error('docker-compose.yml: no "On a fresh Linux machine" block in the header');
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    const m = /^# {3}(\S.*)$/.exec(l);
    if (m) out.push(m[1]!);
    else if (out.length && l.trim() === '#') break;
    else if (!l.startsWith('#')) break;
  }
  return out;
}

const sh = promisify(execFile);

describe.skipIf(!run || !compose)('docker-compose.yml: the header\'s commands, as written', () => {
  const project = `codacompose${process.pid}`;
  const commands = headerCommands(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8'));
  const grafanaImage = (parse(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8')) as { services: { grafana: { image: string } } }).services.grafana.image.replace(/^\$\{GRAFANA_IMAGE:-(.+)\}$/, '$1') as string;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const outputs: string[] = [];
  const skipped: string[] = [];

  /** One header line, through bash, in the copy of the checkout. */
  const runLine = async (line: string, timeout = 400_000): Promise<string> => {
    const cmd = compose === 'docker compose' ? line : line.replace(/docker compose /g, 'docker-compose ');
    try {
      const { stdout, stderr } = await sh('bash', ['-c', cmd], { cwd: dir, env, timeout, maxBuffer: 32 << 20 });
      return `${stdout}${stderr}`;
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message: string };
      const logs = await sh('bash', ['-c', `${compose === 'docker compose' ? 'docker compose' : 'docker-compose'} logs --no-color --tail=40`], { cwd: dir, env, maxBuffer: 32 << 20 }).catch(() => ({ stdout: '' }));
      throw new Error(`\`${line}\` failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}\n--- logs ---\n${logs.stdout}`);
    }
  };
  const dc = (args: string): Promise<string> => runLine(`docker compose ${args}`);

  beforeAll(async () => {
    expect(commands.length).toBeGreaterThanOrEqual(4);
    await ensureBaseImage();
    const prometheus = await buildPrometheusImage();
    // A copy of what the build context and the compose file need: nothing is written into the
    // checkout, and a node_modules that is a symlink (a git worktree) arrives as a folder.
    dir = mkdtempSync(join(tmpdir(), 'coda-compose-'));
    for (const f of ['docker-compose.yml', '.dockerignore', 'deploy', 'bin', 'dist', 'proto', 'package.json', 'package-lock.json', 'node_modules', 'build/Release/coda_blas.node']) {
      if (existsSync(join(REPO, f))) cpSync(join(REPO, f), join(dir, f), { recursive: true, dereference: true });
    }
    env = {
      ...process.env,
      COMPOSE_PROJECT_NAME: project,
      // The header's "without a registry" variables, and an image tag of this run's own.
      CODA_IMAGE: `coda:compose-${process.pid}`,
      CODA_BASE_IMAGE: process.env.CODA_BASE_IMAGE ?? 'coda-base:local',
      CODA_PREBUILT: '1',
      PROMETHEUS_IMAGE: prometheus,
      CODA_MASTER_PORT: String(await freePort()),
      CODA_MASTER_METRICS_PORT: String(await freePort()),
      CODA_PROMETHEUS_PORT: String(await freePort()),
      CODA_GRAFANA_PORT: String(await freePort()),
    };
    delete env.CODA_OUT;
    delete env.CODA_WORKERS;
    delete env.CODA_UID;
    delete env.CODA_GID;
    delete env.CODA_WORKER_THREADS;
    await dc('config -q');
  }, 300_000);

  afterAll(async () => {
    if (!dir) return;
    try {
      await dc('--profile grafana down -v --remove-orphans -t 2').catch(() => undefined);
      spawnSync('docker', ['image', 'rm', env.CODA_IMAGE!], { stdio: 'ignore' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);

  /** The cluster as it runs after the header's last `up`, before its `down`. */
  async function checkRunningCluster(): Promise<void> {
    // The result folders Docker created as root belong to the master's user (uid 1000).
    if (process.getuid?.() === 0) for (const f of ['out/compose', 'out/compose-8']) expect(statSync(join(dir, f)).uid, f).toBe(1000);
    const first = JSON.parse(readFileSync(join(dir, 'out/compose/result.json'), 'utf8'));
    const second = JSON.parse(readFileSync(join(dir, 'out/compose-8/result.json'), 'utf8'));
    for (const r of [first, second]) {
      expect(r.job).toBe('least-squares');
      expect(r.stoppedBy).toBe('tol');
      expect(r.relErrorVsDirect).toBeLessThan(1e-7);
    }
    // The worker count follows the replicas running: 4 by default, 8 after --scale worker=8.
    expect(first.workers).toBe(4);
    expect(second.workers).toBe(8);
    expect(existsSync(join(dir, 'out/compose-8/x.npy'))).toBe(true);

    // Every worker healthy: registered with the master (the health check asks coda.v1.Worker).
    const ids = (await dc('ps -q worker')).split('\n').filter((l) => /^[0-9a-f]{12,}$/.test(l.trim()));
    expect(ids).toHaveLength(8);
    const health = await pollUntil('every worker healthy', async () => {
      const { stdout } = await sh('docker', ['inspect', '-f', '{{.State.Health.Status}}', ...ids]);
      const states = stdout.trim().split('\n');
      return states.every((s) => s === 'healthy') ? states : undefined;
    }, 60_000, 1000);
    expect(health).toEqual(Array(8).fill('healthy'));
    // One kernel thread per worker: eight of them share this machine.
    for (const id of ids) expect(JSON.parse((await sh('docker', ['inspect', '-f', '{{json .Config.Env}}', id])).stdout), id).toContain('CODA_THREADS=1');
    const workerLogs = await dc('logs --no-color worker');
    expect(reportContainerKernels('compose', workerLogs)).toBe(NATIVE_IN_IMAGE ? 'native' : 'js');

    // Prometheus finds the master and all 8 workers (DNS service discovery of `worker`).
    const q = (query: string): string => `http://127.0.0.1:${env.CODA_PROMETHEUS_PORT}/api/v1/query?query=${encodeURIComponent(query)}`;
    const up = await pollUntil('Prometheus to see the master and all workers up', async () => {
      try {
        const body = (await (await fetch(q('count by (job) (up == 1)'))).json()) as { data: { result: { metric: { job: string }; value: [number, string] }[] } };
        const byJob = Object.fromEntries(body.data.result.map((r) => [r.metric.job, Number(r.value[1])]));
        return byJob['coda-master'] === 1 && byJob['coda-worker'] === 8 ? byJob : undefined;
      } catch {
        return undefined;
      }
    }, 90_000, 1000);
    expect(up).toEqual({ 'coda-master': 1, 'coda-worker': 8 });
    const rounds = await pollUntil('coda_rounds_total in Prometheus', async () => {
      const body = (await (await fetch(q('sum(coda_rounds_total)'))).json()) as { data: { result: { value: [number, string] }[] } };
      const v = Number(body.data.result[0]?.value[1] ?? 0);
      return v > 0 ? v : undefined;
    }, 60_000, 1000);
    expect(rounds).toBeGreaterThan(0);
  }

  it('runs every command of the header; the job follows --scale; workers are healthy once registered; Prometheus scrapes them', async () => {
    let checked = false;
    for (const line of commands) {
      if (/ down\b/.test(line) && !checked) {
        await checkRunningCluster();
        checked = true;
      }
      if (/--profile grafana up/.test(line) && !imageExists(grafanaImage)) {
        skipped.push(line);
        console.warn(`\n[compose] \`${line}\` SKIPPED: the image ${grafanaImage} is not on this machine (no registry); the provisioning is checked offline.\n`);
        continue;
      }
      outputs.push(await runLine(line));
    }
    expect(checked, 'the header ends with a down').toBe(true);
    // The waits printed the results they waited for.
    expect(outputs.filter((o) => /"job":\s*"least-squares"/.test(o))).toHaveLength(2);
    // Only the Grafana line may be left out, and only for want of its image.
    expect(skipped.every((l) => /--profile grafana up/.test(l))).toBe(true);
    const left = (await sh('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`])).stdout.trim();
    expect(left, 'containers left after the header\'s down').toBe('');
  }, 900_000);
});
