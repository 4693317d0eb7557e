import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { resolveJobPaths } from '../../shared/config';
import { ClusterError, CodaError, InputError, toServiceError } from '../../shared/errors';
import { createLogger, type Logger } from '../../shared/log';
import { createRegistry, serveMetrics, type MetricsServer } from '../../shared/metrics';
import { float64ToBytes } from '../../shared/tensor';
import {
  addHealth,
  bindServer,
  joinHostPort,
  loadProtos,
  SERVER_OPTIONS,
  CHUNK_BYTES,
  serverCredentials,
  serverOptions,
  shutdownServer,
  type TlsFiles,
  type pb,
} from '../../shared/wire';
import type { Registry } from 'prom-client';
import { Cluster } from '../cluster/cluster';
import { WorkerRegistry, type WorkerRecord } from '../cluster/registry';
import { verifyStatefulSetWorker } from '../cluster/worker-identity';
import { heartbeatIntervalSeconds, heartbeatTimeoutSeconds } from '../cluster/liveness';
import { checkJob, parseJob, runJob } from '../jobs';
import { MasterMetrics } from '../metrics';
import { ParameterStore, storeHandlers } from '../store';
import { dataRootCheck } from './data-root';

export interface MasterOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  token?: string;
  tls?: TlsFiles;
  /** undefined: no /metrics server; 0: any free port. */
  metricsPort?: number;
  /** Heartbeat interval for clusters up to 10 workers; larger clusters beat slower (liveness.ts). */
  heartbeatIntervalSeconds: number;
  /** Silence before a worker is lost (at least three of the cluster's intervals). */
  heartbeatTimeoutSeconds: number;
  taskDeadlineSeconds: number;
  /**
   * The data root: SubmitJob resolves relative data paths against it and refuses any path (or
   * symlink) that leads outside it, without reading the file.
   */
  dataDir: string;
  /**
   * Bind to a non-loopback address without a token: anyone who reaches the port may then
   * submit jobs (and read data under dataDir). Refused unless set.
   */
  insecure?: boolean;
  /** How long a submitted job waits for its `workers` to be alive before it fails. */
  workerWaitSeconds: number;
  /**
   * Admit only pods of this StatefulSet, each as its own ordinal, verified through cluster DNS
   * (master/cluster/worker-identity.ts). Unset: any worker with the token may register.
   */
  workerStatefulSet?: string;
}

export const DEFAULT_MASTER_OPTIONS: MasterOptions = {
  host: '127.0.0.1',
  port: 0,
  heartbeatIntervalSeconds: 0.5,
  // Long enough that a worker busy in a multi-second kernel (its event loop blocked) is not
  // declared lost; a crash is noticed at once anyway, from the reset connection.
  heartbeatTimeoutSeconds: 6,
  taskDeadlineSeconds: 120,
  dataDir: process.cwd(),
  workerWaitSeconds: 300,
};

export interface RunningMaster {
  port: number;
  address: string;
  metricsPort?: number;
  registry: WorkerRegistry;
  cluster: Cluster;
  store: ParameterStore;
  metrics: MasterMetrics;
  promRegistry: Registry;
  log: Logger;
  /** Resolves once `n` workers are alive (rejects after timeoutMs). */
  waitForWorkers(n: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** True for an address only this machine reaches (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) || /^::ffff:127\./i.test(host);
}

/** Streams a file to the submitter in chunks (CHUNK_BYTES), waiting on the call's flow control. */
async function streamFile(call: grpc.ServerWritableStream<pb.SubmitJobRequest__Output, pb.JobEvent>, name: string, path: string): Promise<void> {
  for await (const data of createReadStream(path, { highWaterMark: CHUNK_BYTES })) {
    if (!call.write({ fileChunk: { name, data: data as Buffer } })) await new Promise((r) => call.once('drain', r));
  }
}

/** Starts the master's gRPC server: registry, heartbeats, parameter store, job submission. */
export async function startMaster(options: Partial<MasterOptions> = {}): Promise<RunningMaster> {
  const o: MasterOptions = { ...DEFAULT_MASTER_OPTIONS, ...options };
  if (!o.token && !o.insecure && !isLoopback(o.host)) {
    throw new InputError(
      `--host ${o.host} would let anyone who reaches the port submit jobs and read data: give the cluster a token (CODA_TOKEN or --token-file), bind to 127.0.0.1, or pass --insecure to accept that`,
    );
  }
  const inDataRoot = dataRootCheck(o.dataDir);
  const log = createLogger('master');
  const promRegistry = createRegistry('master');
  const metrics = new MasterMetrics(promRegistry);
  const registry = new WorkerRegistry(o.heartbeatTimeoutSeconds, o.heartbeatIntervalSeconds);
  const store = new ParameterStore();
  const cluster = new Cluster(registry, { taskDeadlineSeconds: o.taskDeadlineSeconds, metrics, log, store, ...(o.token ? { token: o.token } : {}), ...(o.tls ? { tls: o.tls } : {}) });
  const storeH = storeHandlers(store, metrics);
  /** The interval workers are told: the configured one for small clusters, Dask's rule above. */
  const interval = (): number => Math.max(o.heartbeatIntervalSeconds, heartbeatIntervalSeconds(registry.alive().length + 1));

  const waitForWorkers = (n: number, timeoutMs = 60_000): Promise<void> =>
    new Promise((resolve, reject) => {
      if (registry.alive().length >= n) return resolve();
      const timer = setTimeout(() => {
        registry.off('join', onJoin);
        reject(new ClusterError(`only ${registry.alive().length} of ${n} workers joined within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const onJoin = (): void => {
        if (registry.alive().length >= n) {
          clearTimeout(timer);
          registry.off('join', onJoin);
          resolve();
        }
      };
      registry.on('join', onJoin);
    });

  const handlers: pb.MasterHandlers = {
    Register(call, cb) {
      const req = call.request;
      const admit = async (): Promise<WorkerRecord> => {
        if (o.workerStatefulSet) await verifyStatefulSetWorker(o.workerStatefulSet, req, call.getPeer());
        return registry.join(req.address, req.pid, req.requestedIndex, Date.now());
      };
      admit().then(
        (rec) => {
          log.info({ worker: rec.index, address: rec.address }, 'worker joined');
          cb(null, { index: rec.index, heartbeatIntervalSeconds: interval() });
        },
        (e: Error) => {
          // The worker retries these: a name whose DNS record lags, an index whose previous
          // holder is not yet declared lost.
          log.warn({ address: req.address, requestedIndex: req.requestedIndex, peer: call.getPeer(), err: e.message }, 'registration refused');
          cb(toServiceError(e));
        },
      );
    },
    Heartbeat: (call, cb) => cb(null, { known: registry.heartbeat(call.request.index, Date.now()), heartbeatIntervalSeconds: interval() }),
    ReadParameters: storeH.ReadParameters,
    WriteParameters: storeH.WriteParameters,
    SubmitJob(call) {
      const abort = new AbortController();
      call.on('cancelled', () => abort.abort());
      const cleanups: (() => void)[] = [];
      void (async () => {
        try {
          const job = resolveJobPaths(parseJob(call.request.jobYaml, 'submitted job'), o.dataDir, 'submitted job', inDataRoot);
          checkJob(job, job.workers);
          if (registry.alive().length < job.workers) {
            // The submitter may start with the cluster (a Kubernetes Job beside the StatefulSet).
            call.write({ log: `waiting up to ${o.workerWaitSeconds} s for ${job.workers} workers (${registry.alive().length} alive)` });
            await Promise.race([
              waitForWorkers(job.workers, o.workerWaitSeconds * 1000),
              new Promise((_, reject) => abort.signal.addEventListener('abort', () => reject(new ClusterError('submitter went away')), { once: true })),
            ]);
          }
          const q = cluster.jobs();
          if (q.running) call.write({ log: `queued: ${q.queued.length + 1} job(s) ahead (running ${q.running.id}); jobs on one master run one at a time` });
          // The job's `workers`, not every live worker: the lowest live indices, said out loud.
          const alive = cluster.liveWorkers().sort((a, b) => a - b);
          const workers = alive.slice(0, job.workers);
          if (alive.length > workers.length) call.write({ log: `using ${workers.length} of the ${alive.length} live workers (the job's workers: ${job.workers}): ${workers.join(', ')}` });
          const historyDir = mkdtempSync(join(tmpdir(), 'coda-history-'));
          cleanups.push(() => rmSync(historyDir, { recursive: true, force: true }));
          const out = await runJob(job, {
            cluster,
            workers,
            historyPath: join(historyDir, 'history.jsonl'),
            metrics,
            log,
            signal: abort.signal,
            onProgress: (p) =>
              call.write({ progress: { round: String(p.round), elapsedSeconds: p.seconds, residual: p.residual, stragglers: p.stragglers } }),
          });
          if (out.history) await streamFile(call, 'history.jsonl', out.history.path);
          const outputs: Record<string, pb.Tensor> = {};
          for (const [name, t] of Object.entries(out.tensors)) outputs[name] = { shape: t.shape, data: float64ToBytes(t.values) };
          call.write({ finished: { resultJson: JSON.stringify(out.result), outputs, summary: out.summary, files: out.files ?? {} } });
          call.end();
          for (const c of cleanups) c();
        } catch (e) {
          for (const c of cleanups) c();
          // The error table: bad input stays INVALID_ARGUMENT (exit 2 at the client), a cluster failure UNAVAILABLE (exit 3).
          if (!(e instanceof CodaError)) log.error({ err: (e as Error).stack ?? String(e) }, 'job failed');
          call.emit('error', toServiceError(e));
        }
      })();
    },
  };

  const server = new grpc.Server(serverOptions(SERVER_OPTIONS, o.token));
  const { master: proto } = loadProtos();
  server.addService(proto.coda.v1.Master.service, handlers as unknown as grpc.UntypedServiceImplementation);
  addHealth(server, ['coda.v1.Master']);
  const port = await bindServer(server, o.host, o.port, serverCredentials(o.tls));
  let metricsServer: MetricsServer | undefined;
  if (o.metricsPort !== undefined) metricsServer = await serveMetrics(promRegistry, o.metricsPort, o.host);
  // One sweep a second: a loss is noticed within a second of its timeout (crashes sooner, from
  // the broken task stream).
  const sweep = setInterval(() => registry.sweep(Date.now(), heartbeatTimeoutSeconds(registry.alive().length, o.heartbeatTimeoutSeconds), (w) => cluster.connected(w)), 1000);
  sweep.unref();
  log.info({ port, metricsPort: metricsServer?.port }, 'master listening');

  return {
    port,
    address: joinHostPort(o.host === '0.0.0.0' || o.host === '::' ? '127.0.0.1' : o.host, port),
    ...(metricsServer ? { metricsPort: metricsServer.port } : {}),
    registry,
    cluster,
    store,
    metrics,
    promRegistry,
    log,
    waitForWorkers,
    async stop() {
      clearInterval(sweep);
      cluster.close();
      await shutdownServer(server, 1000);
      await metricsServer?.close();
    },
  };
}
