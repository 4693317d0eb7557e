import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { CodaError } from '../shared/errors';
import type { Kernels } from '../shared/kernels';
import type { Logger } from '../shared/log';
import { delayFromMessage, faultFromMessage, tokenMatches, type pb } from '../shared/wire';
import { float64ToBytes } from '../shared/tensor';
import { BlockAssembler, BlockStore } from './block-store';
import { ChaosInjector, cancellableSleep } from './chaos-injector';
import type { WorkerMetrics } from './metrics';
import { kindHandler, resolveBlocks, type MasterAccess } from './task-kinds';

/** The abort reason of a task the master cancelled through CancelTasks. */
const MASTER_CANCEL = 'cancelled-by-master';

function taskKey(jobId: string, round: string | number, slot: number): string {
  return `${jobId}\u0000${round}\u0000${slot}`;
}

export interface WorkerState {
  index: number;
  draining: boolean;
  running: number;
}

/**
 * The Worker gRPC service: a thin shell over the block store, the chaos injector and the task
 * kind registry. Every call checks the cluster token first.
 */
export function workerHandlers(deps: {
  store: BlockStore;
  chaos: ChaosInjector;
  state: WorkerState;
  token: string | undefined;
  log: Logger;
  metrics: WorkerMetrics;
  kernels: Kernels;
  onIdle: () => void;
  /** The master, for task kinds that use its parameter store (absent when the worker has none). */
  master?: () => MasterAccess | undefined;
}): pb.WorkerHandlers {
  const { store, chaos, state, token, log, metrics } = deps;
  /** Running tasks by job, round and slot, so CancelTasks can reach them. */
  const running = new Map<string, AbortController>();
  const refuse = (md: grpc.Metadata): grpc.ServiceError | null => {
    if (tokenMatches(token, md)) return null;
    return Object.assign(new Error('missing or wrong cluster token'), {
      code: grpc.status.UNAUTHENTICATED,
      details: 'missing or wrong cluster token',
      metadata: new grpc.Metadata(),
    });
  };
  const fail = (code: grpc.status, message: string): grpc.ServiceError =>
    Object.assign(new Error(message), { code, details: message, metadata: new grpc.Metadata() });

  return {
    LoadBlocks(call, callback) {
      const denied = refuse(call.metadata);
      if (denied) {
        call.destroy();
        return callback(denied);
      }
      const asm = new BlockAssembler(store);
      let failed = false;
      call.on('data', (chunk: pb.BlockChunk__Output) => {
        if (failed) return;
        try {
          if (chunk.part === 'header' && chunk.header) asm.header(chunk.header);
          else if (chunk.part === 'data' && chunk.data) asm.data(chunk.data);
        } catch (e) {
          failed = true;
          callback(fail(grpc.status.INVALID_ARGUMENT, (e as Error).message));
        }
      });
      call.on('end', () => {
        if (failed) return;
        try {
          asm.end();
        } catch (e) {
          return callback(fail(grpc.status.INVALID_ARGUMENT, (e as Error).message));
        }
        metrics.bytesReceived.inc(asm.bytesReceived);
        metrics.blocksStored.set(store.count());
        metrics.bytesStored.set(store.bytes());
        log.debug({ blocks: asm.blocksDone, bytes: asm.bytesReceived }, 'blocks loaded');
        callback(null, { blocksStored: asm.blocksDone, bytesReceived: String(asm.bytesReceived) });
      });
    },

    DropBlocks(call, callback) {
      const denied = refuse(call.metadata);
      if (denied) return callback(denied);
      const n = store.drop(call.request.jobId, call.request.blockIds);
      metrics.blocksStored.set(store.count());
      metrics.bytesStored.set(store.bytes());
      callback(null, { blocksDropped: n });
    },

    Configure(call, callback) {
      const denied = refuse(call.metadata);
      if (denied) return callback(denied);
      try {
        chaos.configure(delayFromMessage(call.request.delay), faultFromMessage(call.request.fault), Number(call.request.seed));
        log.info({ delay: call.request.delay?.dist || 'none' }, 'chaos configured');
        callback(null, {});
      } catch (e) {
        callback(fail(grpc.status.INVALID_ARGUMENT, (e as Error).message));
      }
    },

    CancelTasks(call, callback) {
      const denied = refuse(call.metadata);
      if (denied) return callback(denied);
      let n = 0;
      for (const slot of call.request.slots) {
        const a = running.get(taskKey(call.request.jobId, call.request.round, slot));
        if (a && !a.signal.aborted) {
          a.abort(MASTER_CANCEL);
          n++;
        }
      }
      callback(null, { cancelled: n });
    },

    RunTask(call, rawCallback) {
      const kind = call.request.kind ?? 'none';
      let answered = false;
      const callback: typeof rawCallback = (err, res) => {
        if (answered) return;
        answered = true;
        rawCallback(err, res);
      };
      const denied = refuse(call.metadata);
      if (denied) {
        metrics.tasks.inc({ kind, outcome: 'refused' });
        return callback(denied);
      }
      if (state.draining) return callback(fail(grpc.status.UNAVAILABLE, 'worker is draining'));
      const handler = kindHandler(kind);
      if (!handler) return callback(fail(grpc.status.UNIMPLEMENTED, `unknown task kind '${kind}'`));
      const received = performance.now();
      const abort = new AbortController();
      call.on('cancelled', () => abort.abort());
      const key = taskKey(call.request.jobId, call.request.round, call.request.slot);
      running.set(key, abort);
      state.running++;
      const done = (): void => {
        if (running.get(key) === abort) running.delete(key);
        // Cut off by CancelTasks: end the call here, so the master never resets the stream.
        if (abort.signal.reason === MASTER_CANCEL) callback(fail(grpc.status.CANCELLED, 'cancelled by the master (straggler)'));
        state.running--;
        if (state.running === 0) deps.onIdle();
      };
      const { delay, fault } = chaos.next();
      if (fault === 'crash') {
        log.warn({ round: call.request.round }, 'injected crash');
        // A real crash: no cleanup, no goodbye (SIGKILL cannot be caught).
        process.kill(process.pid, 'SIGKILL');
        return;
      }
      void (async () => {
        try {
          const slept = await cancellableSleep(delay, abort.signal);
          metrics.injectedDelaySeconds.observe({ kind }, delay);
          if (!slept) {
            metrics.tasks.inc({ kind, outcome: 'cancelled' });
            return;
          }
          if (fault === 'hang') {
            // Never answer; the master's cancel (or deadline) ends the call.
            metrics.tasks.inc({ kind, outcome: 'hung' });
            await new Promise<void>((r) => abort.signal.addEventListener('abort', () => r(), { once: true }));
            return;
          }
          const start = performance.now();
          const master = deps.master?.();
          const result = await handler({
            request: call.request,
            blocks: resolveBlocks(store, call.request),
            kernels: deps.kernels,
            signal: abort.signal,
            ...(master ? { master } : {}),
            nextDelay: () => chaos.next().delay,
          });
          const compute = (performance.now() - start) / 1000;
          metrics.computeSeconds.observe({ kind }, compute);
          if (fault === 'drop') {
            metrics.tasks.inc({ kind, outcome: 'dropped' });
            await new Promise<void>((r) => abort.signal.addEventListener('abort', () => r(), { once: true }));
            return;
          }
          if (abort.signal.aborted) {
            metrics.tasks.inc({ kind, outcome: 'cancelled' });
            return;
          }
          metrics.tasks.inc({ kind, outcome: 'ok' });
          const queue = Math.max(0, (start - received) / 1000 - delay);
          callback(null, {
            workerIndex: state.index,
            round: call.request.round,
            slot: call.request.slot,
            timings: { computeSeconds: compute, injectedDelaySeconds: delay, queueSeconds: queue },
            payload: { shape: result.shape, data: float64ToBytes(result.values) },
          });
        } catch (e) {
          metrics.tasks.inc({ kind, outcome: 'error' });
          const code = e instanceof CodaError ? grpc.status.INVALID_ARGUMENT : grpc.status.INTERNAL;
          log.error({ err: (e as Error).message, kind }, 'task failed');
          if (!abort.signal.aborted) callback(fail(code, (e as Error).message));
        } finally {
          done();
        }
      })();
    },
  };
}
