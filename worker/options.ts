import { jsKernels, type Kernels } from '../shared/kernels';
import type { TlsFiles } from '../shared/wire';
import type { ComputeMode } from './compute';

/** Everything a worker needs, resolved once (the CLI turns flags and env into this). */
export interface WorkerOptions {
  /** Master address host:port; absent: a standalone worker (tests, benchmarks). */
  master?: string;
  /** Interface to bind; 0.0.0.0 in containers. */
  host: string;
  /** Port to bind; 0 picks a free one. */
  port: number;
  /**
   * Port of the bulk channel placement uses (OpenBulk); 0 picks a free one; null: none
   * (the master then places through LoadBlocks). Ignored under TLS.
   */
  bulkPort: number | null;
  /** Address the master should dial; default: host:port, or the first non-loopback IPv4 when host is 0.0.0.0. */
  advertise?: string;
  /** Index to request (StatefulSet ordinal); -1: the master picks. */
  index: number;
  /** Cluster token; when set, tasks without it are refused. Never logged. */
  token?: string;
  tls?: TlsFiles;
  /**
   * The kernel backend tasks run on, chosen once (selectKernels: native OpenBLAS with its thread
   * count set, or the plain loops). Default: the plain loops, the reference.
   */
  kernels: Kernels;
  /** The native addon the compute thread loads (KernelSelection.addon); default: the package's build. */
  kernelAddon?: string;
  /**
   * Where tasks compute: `thread` (default), a compute thread of this service's own, started on its
   * first task, its blocks in shared memory; `inline`, on the event loop (the reference).
   */
  compute: ComputeMode;
  /**
   * What a crash fault (`crash after n tasks`) ends: the whole process (a real crash, SIGKILL:
   * a process of one service), or only this service (its server, streams, thread and memory),
   * so the other services of a `--services K` process go on.
   */
  crashEnds: 'process' | 'service';
  /**
   * The scheduling class a compute thread steps AsyncEigenPro loops in: `ordinary` (default; nice
   * +5 below the event loop) or `idle` (SCHED_IDLE: the event loop, woken by a peer's slice read,
   * preempts the step at once; but any ordinary-class thread of the same cgroup or session
   * (a master, another job, a test run beside it) starves the steps: for a worker with the machine
   * or its container to itself). See worker/compute/loop-priority.ts.
   */
  loopCompute: 'ordinary' | 'idle';
  /** Prometheus /metrics port; undefined: no metrics server. 0: any free port. */
  metricsPort?: number;
  /** Exit when the master is unreachable for this many seconds (0: never). */
  masterLossExitSeconds: number;
  /** Give up registering with the master after this many seconds (0: keep trying, with backoff). */
  registerTimeoutSeconds: number;
}

export const DEFAULT_WORKER_OPTIONS: WorkerOptions = {
  host: '127.0.0.1',
  port: 0,
  bulkPort: 0,
  kernels: jsKernels,
  compute: 'thread',
  loopCompute: 'ordinary',
  crashEnds: 'process',
  index: -1,
  masterLossExitSeconds: 0,
  registerTimeoutSeconds: 0,
};
