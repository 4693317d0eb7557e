import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ClusterError, InputError, NotFoundError, toServiceError } from '../../shared/errors';
import { createLogger, type Logger } from '../../shared/log';
import type { LinalgThreadOptions } from '../../shared/linalg';
import { createRegistry, registerEventLoopLagMetric, serveMetrics, type MetricsServer } from '../../shared/metrics';
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
import { MasterLinalg } from '../cluster/master-linalg';
import { WorkerRegistry, type WorkerRecord } from '../cluster/registry';
import { verifyStatefulSetWorker, type StatefulSetIdentity } from '../cluster/worker-identity';
import { heartbeatIntervalSeconds, heartbeatTimeoutSeconds } from '../cluster/liveness';
import { MasterMetrics } from '../metrics';
import { JobStateDir, type CheckpointOptions } from '../state';
import { ParameterStore, storeHandlers } from '../store';
import { dataRootCheck } from './data-root';
import { JobManager, type JobListener } from './job-manager';
import { DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_UNCLAIMED_SECONDS, UploadStore } from './uploads';

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
  /** With workerStatefulSet: its headless Service (default: the StatefulSet's name). */
  workerService?: string;
  /** With workerStatefulSet: the pods' namespace, which admits the names `<pod>.<service>.<namespace>[.svc[.<domain>]]`. */
  workerNamespace?: string;
  /** With workerNamespace: the cluster's DNS domain (default cluster.local). */
  clusterDomain?: string;
  /**
   * Keep every accepted job, its checkpoints and its result in this folder, and resume the
   * unfinished ones found there at start (a restarted master goes on where the last one stopped).
   */
  stateDir?: string;
  /** How often a running job's state is checkpointed (with stateDir). */
  checkpoint?: CheckpointOptions;
  /** The most bytes of arrays one job may upload (UploadArrays); default 4 GiB. */
  maxUploadBytes?: number;
  /** Where uploads are written: default `<stateDir>/uploads`, or a temporary folder removed at stop. */
  uploadDir?: string;
  /** Seconds an upload waits for the SubmitJob that claims it before it is deleted. */
  uploadUnclaimedSeconds?: number;
  /**
   * The linear-algebra threads (backend, BLAS threads; resolveLinalgThreadOptions reads the
   * flags and CODA_KERNELS / CODA_THREADS where the process starts). Default: LAPACK when the
   * addon loads, one BLAS thread.
   */
  linalg?: LinalgThreadOptions;
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
  /** Submitted jobs (and, with stateDir, the ones it resumed). */
  jobs: JobManager;
  /** Random per start: workers that see a new one drop what the master before placed on them. */
  masterId: string;
  /** Resolves once `n` workers are alive (rejects after timeoutMs). */
  waitForWorkers(n: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** True for an address only this machine reaches (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) || /^::ffff:127\./i.test(host);
}

/** A server stream as a job listener: files go in chunks on the call's flow control; ends the call when the job ends. */
function streamListener(call: grpc.ServerWritableStream<unknown, pb.JobEvent>): JobListener {
  const open = (): boolean => !call.cancelled && call.writable;
  return {
    event: (ev) => {
      if (open()) call.write(ev);
    },
    async send(ev) {
      if (open() && !call.write(ev)) await new Promise((r) => call.once('drain', r));
    },
    async file(name, path) {
      for await (const data of createReadStream(path, { highWaterMark: CHUNK_BYTES })) {
        if (!open()) return;
        if (!call.write({ fileChunk: { name, data: data as Buffer } })) await new Promise((r) => call.once('drain', r));
      }
    },
    end: () => {
      if (open()) call.end();
    },
  };
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
  // coda_event_loop_lag_seconds, as every worker process has: the loop's lag beyond the sampling
  // interval, over each scrape's window.
  const stopLagMetric = registerEventLoopLagMetric(promRegistry);
  const metrics = new MasterMetrics(promRegistry);
  const registry = new WorkerRegistry(o.heartbeatTimeoutSeconds, o.heartbeatIntervalSeconds);
  const store = new ParameterStore();
  const linalg = new MasterLinalg(o.linalg ?? {}, log);
  const cluster = new Cluster(registry, { taskDeadlineSeconds: o.taskDeadlineSeconds, metrics, log, store, linalg, ...(o.token ? { token: o.token } : {}), ...(o.tls ? { tls: o.tls } : {}) });
  const storeH = storeHandlers(store, metrics);
  const masterId = randomBytes(8).toString('hex');
  const stateDir = o.stateDir ? new JobStateDir(o.stateDir, log, o.checkpoint) : undefined;
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

  const uploadRoot = o.uploadDir ?? (o.stateDir ? join(o.stateDir, 'uploads') : undefined);
  const uploads = new UploadStore({
    ...(uploadRoot ? { root: uploadRoot } : {}),
    maxBytes: o.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    unclaimedSeconds: o.uploadUnclaimedSeconds ?? DEFAULT_UNCLAIMED_SECONDS,
    log,
  });
  const jobs = new JobManager({ cluster, metrics, log, dataDir: o.dataDir, inDataRoot, workerWaitSeconds: o.workerWaitSeconds, waitForWorkers, uploads, ...(stateDir ? { stateDir } : {}) });

  const identity: StatefulSetIdentity | undefined = o.workerStatefulSet
    ? {
        statefulSet: o.workerStatefulSet,
        ...(o.workerService ? { service: o.workerService } : {}),
        ...(o.workerNamespace ? { namespace: o.workerNamespace } : {}),
        ...(o.clusterDomain ? { clusterDomain: o.clusterDomain } : {}),
      }
    : undefined;
  const handlers: pb.MasterHandlers = {
    Register(call, cb) {
      const req = call.request;
      const admit = async (): Promise<WorkerRecord> => {
        if (o.workerStatefulSet) await verifyStatefulSetWorker(identity!, req, call.getPeer());
        return registry.join(req.address, req.pid, req.requestedIndex, Date.now());
      };
      admit().then(
        (rec) => {
          log.info({ worker: rec.index, address: rec.address }, 'worker joined');
          cb(null, { index: rec.index, heartbeatIntervalSeconds: interval(), masterId });
        },
        (e: Error) => {
          // The worker retries these: a name whose DNS record lags, an index whose previous
          // holder is not yet declared lost.
          log.warn({ address: req.address, requestedIndex: req.requestedIndex, peer: call.getPeer(), err: e.message }, 'registration refused');
          cb(toServiceError(e));
        },
      );
    },
    // A beat from a worker of another master process (this one restarted) is not one of ours, whatever its index.
    Heartbeat: (call, cb) =>
      cb(null, { known: (call.request.masterId === '' || call.request.masterId === masterId) && registry.heartbeat(call.request.index, Date.now()), heartbeatIntervalSeconds: interval() }),
    ReadParameters: storeH.ReadParameters,
    WriteParameters: storeH.WriteParameters,
    SubmitJob(call) {
      let job;
      try {
        job = jobs.submit(call.request.jobYaml, call.request.jobId, call.request.uploadId ? { uploadId: call.request.uploadId } : {});
      } catch (e) {
        // The error table: bad input stays INVALID_ARGUMENT (exit 2 at the client), a cluster failure UNAVAILABLE (exit 3).
        return call.emit('error', toServiceError(e));
      }
      // The job outlives the call: a submitter that goes away re-attaches (AttachJob) or cancels it (CancelJob).
      const detach = jobs.attach(job, streamListener(call));
      call.on('cancelled', detach);
    },
    AttachJob(call) {
      const job = jobs.find(call.request.jobId);
      if (!job) {
        return call.emit('error', toServiceError(new NotFoundError(`this master holds no job '${call.request.jobId}'${o.stateDir ? '' : ' (it keeps no --state: a job does not outlive a master restart)'}`)));
      }
      const detach = jobs.attach(job, streamListener(call));
      call.on('cancelled', detach);
    },
    CancelJob: (call, cb) => cb(null, { cancelled: jobs.cancel(call.request.jobId) }),
    UploadArrays: uploads.handler,
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
  log.info({ port, metricsPort: metricsServer?.port, state: o.stateDir }, 'master listening');
  const resumed = jobs.recover();
  if (resumed.length > 0) log.info({ jobs: resumed }, 'resuming unfinished jobs from the state folder');

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
    jobs,
    masterId,
    waitForWorkers,
    async stop() {
      stopLagMetric();
      jobs.stop();
      uploads.close();
      clearInterval(sweep);
      await cluster.close();
      await shutdownServer(server, 1000);
      await metricsServer?.close();
    },
  };
}
