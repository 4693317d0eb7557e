import { networkInterfaces } from 'node:os';
import * as grpc from '@grpc/grpc-js';
import { ClusterError } from '../shared/errors';
import { createLogger } from '../shared/log';
import { createRegistry, registerEventLoopLagMetric, serveMetrics, type MetricsServer } from '../shared/metrics';
import { abortServer, addHealth, bindServer, joinHostPort, loadProtos, SERVER_OPTIONS, serverCredentials, serverOptions, shutdownServer } from '../shared/wire';
import { BlockStore } from './block-store';
import { BulkReceiver } from './bulk-receiver';
import { ChaosInjector } from './chaos-injector';
import { createComputeEngine, defaultAddon } from './compute';
import { WorkerMetrics } from './metrics';
import { DEFAULT_WORKER_OPTIONS, type WorkerOptions } from './options';
import { PeerClients } from './peers';
import { MasterLink } from './registration';
import { SliceStore } from './slice-store';
import { workerHandlers, type WorkerState } from './service';
import { defaultTaskBudget } from './task-budget';

export interface RunningWorker {
  /** The bound gRPC port. */
  port: number;
  address: string;
  index: number;
  metricsPort?: number;
  /** Stops taking tasks, lets running ones finish (up to graceMs), then shuts down. */
  drain(graceMs?: number): Promise<void>;
  /**
   * Resolves (with the reason) once the worker has given its master up (--exit-on-master-loss)
   * and drained: the process's entry (the CLI) decides what follows. Never resolves otherwise.
   */
  masterLost: Promise<ClusterError>;
  /** Resolves once a crash fault has ended this service (crashEnds: 'service'). Never resolves otherwise. */
  crashed: Promise<void>;
}

function firstExternalIPv4(): string | undefined {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

let lagMetricTaken = false;

/** Starts a worker: gRPC server (Worker + health), metrics, and the link to its master. */
export async function startWorker(opts: Partial<WorkerOptions> = {}): Promise<RunningWorker> {
  const o: WorkerOptions = { ...DEFAULT_WORKER_OPTIONS, ...opts };
  let log = createLogger('worker');
  const budget = defaultTaskBudget();
  // The store tells the compute side of every change; the compute side gives the store its memory.
  let store: BlockStore;
  const compute = createComputeEngine(o.compute, { kernels: o.kernels, addon: o.kernelAddon ?? defaultAddon(), budget, stored: () => store.entries(), log, loopIdle: o.loopCompute === 'idle' });
  store = new BlockStore((bytes) => compute.allocate(bytes), compute);
  const chaos = new ChaosInjector();
  const state: WorkerState = { index: o.index, draining: false, running: 0, streams: 0 };
  const registry = createRegistry('worker', {}, o.metricsPort !== undefined ? 'once' : 'never');
  // coda_event_loop_lag_seconds: one gauge a process (its services share the loop), on the first
  // service that serves /metrics.
  if (o.metricsPort !== undefined && !lagMetricTaken) {
    lagMetricTaken = true;
    registerEventLoopLagMetric(registry);
  }
  const metrics = new WorkerMetrics(registry);
  const params = { slices: new SliceStore((by) => metrics.sliceWrites.inc({ by })), peers: new PeerClients(o.token, o.tls) };
  let idleWaiters: (() => void)[] = [];
  const server = new grpc.Server(serverOptions(SERVER_OPTIONS, o.token));
  // Blocks as raw bytes beside gRPC (see OpenBulk). Not under TLS: the channel is plain TCP, so
  // a TLS cluster places through LoadBlocks, encrypted. (A TLS bulk channel was tried: 298 MB/s
  // against 316 for LoadBlocks over TLS, 64 MiB to a worker process; encryption is the cost.)
  let bulk: BulkReceiver | undefined;
  if (o.bulkPort !== null && !o.tls) {
    bulk = new BulkReceiver(store, budget.blockBytes, log, (_blocks, bytes) => {
      metrics.bytesReceived.inc(bytes);
      metrics.blocksStored.set(store.count());
      metrics.bytesStored.set(store.bytes());
    });
  }
  const { worker: proto } = loadProtos();
  server.addService(
    proto.coda.v1.Worker.service,
    workerHandlers({
      store,
      chaos,
      state,
      log,
      metrics,
      compute,
      crash: () => crash(),
      budget,
      onIdle: () => {
        const w = idleWaiters;
        idleWaiters = [];
        w.forEach((f) => f());
      },
      master: () => (link ? { client: link.masterClient, token: o.token } : undefined),
      params,
      ...(bulk ? { bulk } : {}),
    }) as unknown as grpc.UntypedServiceImplementation,
  );
  const health = addHealth(server, ['coda.v1.Worker']);
  // "" answers SERVING while the process serves (liveness); coda.v1.Worker only once the master
  // has taken this worker in (readiness: a Kubernetes pod is Ready when it is registered).
  if (o.master) health.setStatus('coda.v1.Worker', 'NOT_SERVING');
  const port = await bindServer(server, o.host, o.port, serverCredentials(o.tls));
  if (bulk && o.bulkPort !== null) {
    try {
      await bulk.listen(o.host, o.bulkPort);
    } catch (e) {
      await shutdownServer(server, 0);
      throw new ClusterError(`cannot listen for the bulk channel on ${joinHostPort(o.host, o.bulkPort)}: ${(e as Error).message}`);
    }
  }
  const host = o.host === '0.0.0.0' || o.host === '::' ? (firstExternalIPv4() ?? '127.0.0.1') : o.host;
  const address = o.advertise ?? joinHostPort(host, port);
  let metricsServer: MetricsServer | undefined;
  if (o.metricsPort !== undefined) metricsServer = await serveMetrics(registry, o.metricsPort, o.host);

  let link: MasterLink | undefined;
  let giveUp: (e: ClusterError) => void = () => {};
  const masterLost = new Promise<ClusterError>((resolve) => (giveUp = resolve));
  let crashedNow: () => void = () => {};
  const crashed = new Promise<void>((resolve) => (crashedNow = resolve));
  /**
   * A crash fault. Alone in its process: SIGKILL, a real crash (no cleanup, no goodbye). Beside
   * other services: this service ends as abruptly as it can without taking them along: its server
   * resets every call and stream at once, its heartbeats stop, its thread is terminated, its
   * blocks and slices are let go; the master sees it lost as it would a dead process.
   */
  const crash = (): void => {
    if (o.crashEnds === 'process') {
      process.kill(process.pid, 'SIGKILL');
      return;
    }
    if (state.draining) return;
    state.draining = true;
    link?.close();
    abortServer(server, joinHostPort(o.host, port));
    void bulk?.close();
    params.peers.close();
    void metricsServer?.close();
    void compute.close();
    store.clear();
    params.slices.dropAll();
    log.warn('this worker service crashed (injected fault); the others of its process go on');
    crashedNow();
  };
  const drain = async (graceMs = 10_000): Promise<void> => {
    if (state.draining) return;
    state.draining = true;
    health.setStatus('', 'NOT_SERVING');
    health.setStatus('coda.v1.Worker', 'NOT_SERVING');
    link?.close();
    if (state.running > 0) {
      await Promise.race([new Promise<void>((r) => idleWaiters.push(r)), new Promise((r) => setTimeout(r, graceMs).unref())]);
    }
    // The master's task stream never ends on its own: waiting the default grace for it would spend
    // what is left of a container's stop period (docker stop -t 2) for nothing. Tasks are done.
    await shutdownServer(server, 250);
    await bulk?.close();
    params.peers.close();
    await metricsServer?.close();
    await compute.close();
    log.info('worker stopped');
  };

  if (o.master) {
    link = new MasterLink(
      o.master,
      address,
      o.index,
      o.token,
      o.tls,
      log,
      () => state.running,
      (seconds) => {
        if (o.masterLossExitSeconds > 0 && seconds > o.masterLossExitSeconds) {
          log.error({ seconds }, 'master unreachable; giving up');
          void drain(0).then(() => giveUp(new ClusterError(`master ${o.master} unreachable for ${Math.round(seconds)} s`)));
        }
      },
      () => state.streams > 0,
    );
    // Readiness follows registration both ways: NOT_SERVING while the master is unreachable or
    // has forgotten this worker (a restarted master), SERVING again once it has taken it back.
    link.onRegisteredChange = (registered) => {
      if (!state.draining) health.setStatus('coda.v1.Worker', registered ? 'SERVING' : 'NOT_SERVING');
    };
    link.onMasterChange = () => {
      // A restarted master places its jobs' blocks again: the old ones would only hold memory.
      const dropped = store.clear();
      chaos.reset(chaos.jobId);
      metrics.blocksStored.set(store.count());
      metrics.bytesStored.set(store.bytes());
      log.info({ dropped }, 'a new master process: dropped the blocks and chaos of the one before');
    };
    try {
      state.index = await link.register(o.registerTimeoutSeconds * 1000);
    } catch (e) {
      await drain(0);
      throw e;
    }
    log = log.child({ index: state.index });
  }
  return { port, address, index: state.index, ...(metricsServer ? { metricsPort: metricsServer.port } : {}), drain, masterLost, crashed };
}
