import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenericContainer, Network, Wait, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import { isDelayChange, parseChaosSchedule, type FaultEvent } from '../../shared/chaos/schedule';
import { parseNpy } from '../../shared/tensor/npy';
import { syntheticLeastSquares } from '../../master/data';
import { directLeastSquares } from '../../algorithms/direct';
import { listCluster } from '../../launcher/chaos/docker';
import { DockerScheduleExecutor, followMetrics } from '../../launcher/chaos/schedule-runner';
import { expectClose, TOL } from '../helpers/expect-close';
import { inlineLa } from '../helpers/linalg';
import { NATIVE_IN_IMAGE, buildCodaImage, pollUntil, removeLabelled, reportContainerKernels, requireDocker, startWorkerContainer } from './docker-env';

/**
 * A master and 4 worker containers (testcontainers 11, the real engine) solve least squares with
 * frc while a worker is paused (a real straggler, cut off) and another killed (a real crash);
 * the chaos comes from a job-style schedule run by `coda chaos`'s executor. The answer must be
 * the exact least-squares solution.
 */
const run = requireDocker('containers');
const CLUSTER = `coda-tc-${process.pid}`;
const LABELS = { 'coda.cluster': CLUSTER };

const data = { kind: 'gaussian' as const, rows: 1000, cols: 200, seed: 11, noise: 0.01, df: 1.5 };
const JOB = `
job: least-squares
data:
  synthetic: { kind: gaussian, rows: ${data.rows}, cols: ${data.cols}, seed: ${data.seed}, noise: ${data.noise} }
scheme: { name: frc, stragglers: 1 }
workers: 4
chaos:
  delay: { dist: constant, value: 0.04 }
stop: { tol: 1.0e-10, maxRounds: 3000, timeLimit: 240 }
step: line-search
`;
// Frozen for less than the master's heartbeat timeout (a straggler, not a lost worker), then a
// crash of a worker in the other frc group once the first is back.
const SCHEDULE = ['at round 3 pause worker 1 for 1.5s', 'at round 45 kill worker 2'];

describe.skipIf(!run)('containers: master + 4 workers, frc under pause and kill', () => {
  let network: StartedNetwork;
  let master: StartedTestContainer;
  const workers: StartedTestContainer[] = [];
  let out: string;

  beforeAll(async () => {
    const image = await buildCodaImage();
    out = mkdtempSync(join(tmpdir(), 'coda-tc-out-'));
    chmodSync(out, 0o777); // the image runs as uid 1000
    network = await new Network().start();
    master = await new GenericContainer(image)
      .withNetwork(network)
      .withNetworkAliases('master')
      .withLabels({ ...LABELS, 'coda.role': 'master' })
      .withCopyContentToContainer([{ content: JOB, target: '/tmp/job.yaml', mode: 0o644 }])
      .withBindMounts([{ source: out, target: '/out', mode: 'rw' }])
      .withExposedPorts(9464)
      // A test network of its own, no token: --insecure says the master may listen on it anyway.
      .withCommand(['master', '--host=0.0.0.0', '--insecure', '--port=7070', '--metrics-port=9464', '--job=/tmp/job.yaml', '--min-workers=4', '--out=/out'])
      .withWaitStrategy(Wait.forLogMessage(/master listening on/))
      .withStartupTimeout(60_000)
      .start();
    const started = await Promise.all([0, 1, 2, 3].map((i) => startWorkerContainer(image, network, LABELS, i)));
    workers.push(...started);
  }, 240_000);

  afterAll(async () => {
    await Promise.allSettled([...workers, master].filter(Boolean).map((c) => c.stop({ timeout: 1 })));
    await network?.stop().catch(() => undefined);
    removeLabelled(`coda.cluster=${CLUSTER}`);
    if (out) rmSync(out, { recursive: true, force: true });
  }, 60_000);

  it('the cluster is what coda chaos sees: a master and workers 0..3', async () => {
    const members = await listCluster(CLUSTER);
    expect(members.filter((m) => m.role === 'master')).toHaveLength(1);
    expect(members.filter((m) => m.role === 'worker').map((m) => m.index)).toEqual([0, 1, 2, 3]);
  });

  it('the workers compute with the native kernels (OpenBLAS in the image) when the host built them', () => {
    for (const w of workers) {
      const logs = execFileSync('docker', ['logs', w.getId()], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(reportContainerKernels('containers', logs)).toBe(NATIVE_IN_IMAGE ? 'native' : 'js');
    }
  });

  it('finishes with the exact least-squares answer while worker 1 is paused and worker 2 killed', async () => {
    const metricsUrl = `http://${master.getHost()}:${master.getMappedPort(9464)}/metrics`;
    const executor = new DockerScheduleExecutor(parseChaosSchedule(SCHEDULE).filter((e): e is FaultEvent => !isDelayChange(e)), CLUSTER, (l) => console.log(l));
    const resultFile = join(out, 'result.json');
    const stop = new AbortController();
    const chaos = followMetrics(executor, metricsUrl, { intervalMs: 50, signal: stop.signal });
    await pollUntil('result.json', () => (existsSync(resultFile) ? true : undefined), 180_000, 200);
    stop.abort();
    await chaos;

    // The chaos really happened, in order.
    expect(executor.applied.join('\n')).toMatch(/paused .*\n.*unpaused .*\n.*killed /);
    const members = await listCluster(CLUSTER);
    expect(members.filter((m) => m.role === 'worker' && !m.running)).toHaveLength(1);

    const result = JSON.parse(readFileSync(resultFile, 'utf8'));
    expect(result.scheme.name).toBe('frc');
    expect(result.stoppedBy).toBe('tol');
    expect(result.stragglersCutOff).toBeGreaterThan(0);
    expect(result.relErrorVsDirect).toBeLessThan(1e-7);

    // Checked here too, independently of the master: x.npy against a direct QR solve.
    const x = parseNpy(readFileSync(join(out, 'x.npy')), 'x.npy');
    const { A, b } = syntheticLeastSquares(data);
    const xs = await directLeastSquares(inlineLa, A, b);
    // Steepest descent stops at ‖∇f‖/‖∇f(0)‖ ≤ 1e-10, so x is within κ²·1e-10 of x* (κ(A) ≈ 2.6
    // here): compare with a tolerance relative to ‖x*‖, not per element (small entries).
    const scale = Math.sqrt(xs.reduce((s, v) => s + v * v, 0));
    expectClose(x.data, xs, { rtol: TOL.solver.rtol, atol: 1e-8 * scale });
  }, 240_000);
});
