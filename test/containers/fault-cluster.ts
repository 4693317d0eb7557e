import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GenericContainer, Network, Wait, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import { applyChaos } from '../../launcher/chaos/actions';
import { listCluster } from '../../launcher/chaos/docker';
import { roundsFromMetrics } from '../../launcher/chaos/schedule-runner';
import { freePort } from '../helpers/free-port';
import { buildCodaImage, pollUntil, removeLabelled, startWorkerContainer } from './docker-env';

/**
 * A standalone containerized cluster for the fault matrix: one master container (`coda master
 * --state /state`, jobs submitted from the host with `coda run --master`) and N worker containers
 * with fixed indices, on a network of their own. The master's gRPC and metrics ports are bound to
 * fixed host ports so a master container killed and started again is reachable at the same
 * address, and its state folder is a host folder (the "volume" a restarted master finds again).
 */

const CODA = resolve(__dirname, '../../bin/coda.js');

export interface FaultCluster {
  name: string;
  network: StartedNetwork;
  master: StartedTestContainer;
  workers: StartedTestContainer[];
  /** 127.0.0.1:port of the master's gRPC server. */
  address: string;
  metricsUrl: string;
  /** Host folder mounted at /state in the master. */
  state: string;
  stop(): Promise<void>;
}

export async function startFaultCluster(workers: number): Promise<FaultCluster> {
  const name = `coda-fm-${process.pid}`;
  const labels = { 'coda.cluster': name };
  const image = await buildCodaImage();
  const state = mkdtempSync(join(tmpdir(), 'coda-fm-state-'));
  chmodSync(state, 0o777); // the image runs as uid 1000
  const [grpcPort, metricsPort] = [await freePort(), await freePort()];
  const network = await new Network().start();
  const master = await new GenericContainer(image)
    .withNetwork(network)
    .withNetworkAliases('master')
    .withLabels({ ...labels, 'coda.role': 'master' })
    .withBindMounts([{ source: state, target: '/state', mode: 'rw' }])
    .withExposedPorts({ container: 7070, host: grpcPort }, { container: 9464, host: metricsPort })
    // A test network of its own, no token: --insecure says the master may listen on it anyway.
    .withCommand(['master', '--host=0.0.0.0', '--insecure', '--port=7070', '--metrics-port=9464', '--state=/state', '--checkpoint-every=0.5'])
    .withWaitStrategy(Wait.forLogMessage(/master listening on/))
    .withStartupTimeout(60_000)
    .start();
  const started = await Promise.all(Array.from({ length: workers }, (_, i) => startWorkerContainer(image, network, labels, i)));
  return {
    name,
    network,
    master,
    workers: started,
    address: `127.0.0.1:${grpcPort}`,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    state,
    async stop() {
      await Promise.allSettled([...started, master].map((c) => c.stop({ timeout: 1 })));
      await network.stop().catch(() => undefined);
      removeLabelled(`coda.cluster=${name}`);
    },
  };
}

/** One gauge or counter of the master's /metrics, summed over label sets; undefined when unreachable. */
export async function masterMetric(url: string, metric: string): Promise<number | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return undefined;
    const text = await res.text();
    if (metric === 'coda_rounds_total') return roundsFromMetrics(text);
    const m = new RegExp(`^${metric}(?:\\{[^}]*\\})?\\s+([0-9.eE+-]+)`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Undoes every fault on the cluster's containers (unpause, clear tc and our iptables rules, start
 * the stopped ones) and waits until the master counts every worker alive again.
 */
export async function healAll(c: FaultCluster, workers: number, timeoutMs = 60_000): Promise<void> {
  for (const m of await listCluster(c.name)) {
    await (m.running ? applyChaos('heal', m) : applyChaos('restart', m));
  }
  await pollUntil(`${workers} workers alive on the master`, async () => ((await masterMetric(c.metricsUrl, 'coda_workers_alive')) === workers ? true : undefined), timeoutMs, 200);
}

export interface Submitted {
  code: number | null;
  /** The submitter was killed at the case's deadline: it hung. */
  hung: boolean;
  seconds: number;
  output: string;
}

/**
 * `coda run JOB --master ADDRESS --wait W --out OUT` from the host, killed (and reported hung) if
 * it has not ended after `deadlineMs`.
 */
export function submit(job: string, address: string, out: string, waitSeconds: number, deadlineMs: number): Promise<Submitted> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [CODA, 'run', job, `--master=${address}`, `--wait=${waitSeconds}`, `--out=${out}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CODA_LOG_LEVEL: 'info' },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, deadlineMs);
  return new Promise((r) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      r({ code, hung, seconds: (Date.now() - t0) / 1000, output });
    }),
  );
}
