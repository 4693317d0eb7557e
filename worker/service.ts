import * as grpc from '@grpc/grpc-js';
import type { Kernels } from '../shared/kernels';
import type { Logger } from '../shared/log';
import { delayFromMessage, faultFromMessage, tokenMatches, type pb } from '../shared/wire';
import { BlockAssembler, BlockStore } from './block-store';
import type { ChaosInjector } from './chaos-injector';
import { CorePool } from './core-pool';
import type { WorkerMetrics } from './metrics';
import { runTask, type RunnerDeps, type TaskOutcome } from './task-runner';
import type { MasterAccess } from './task-kinds';

/** The abort reason of a task the master cancelled (CancelTasks, or a cancel on the task stream). */
const MASTER_CANCEL = 'cancelled-by-master';

function taskKey(jobId: string, round: string | number, slot: number): string {
  return `${jobId}\u0000${round}\u0000${slot}`;
}

export interface WorkerState {
  index: number;
  draining: boolean;
  running: number;
  /** Task streams the master holds open (liveness: no heartbeats needed meanwhile). */
  streams: number;
}

function serviceError(code: grpc.status, message: string): grpc.ServiceError {
  return Object.assign(new Error(message), { code, details: message, metadata: new grpc.Metadata() });
}

/** A slot of a RoundTasks message as a full request: the shared kind and payload unless it has its own. */
function slotRequest(s: pb.TaskRequest__Output, shared: pb.TaskRequest__Output | null, jobId: string, round: string): pb.TaskRequest__Output {
  const kind = shared?.kind;
  if (s.kind || !shared || !kind) return { ...s, jobId, round };
  return { ...s, jobId, round, kind, [kind]: shared[kind] };
}

/**
 * The Worker gRPC service: a thin shell over the block store, the chaos injector and the task
 * runner. Tasks arrive on the long-lived Tasks stream (a round's slots in one message) or as a
 * unary RunTask (tools, tests); both run through runTask. Every call checks the cluster token.
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
  /** Running tasks by job, round and slot, so a cancel can reach them. */
  const running = new Map<string, AbortController>();
  const runner: RunnerDeps = { store, kernels: deps.kernels, chaos, cores: new CorePool(), metrics, log, index: () => state.index, ...(deps.master ? { master: deps.master } : {}) };
  const denied = (md: grpc.Metadata): grpc.ServiceError | null =>
    tokenMatches(token, md) ? null : serviceError(grpc.status.UNAUTHENTICATED, 'missing or wrong cluster token');

  /** Starts one task under `abort`; resolves with its outcome once it has ended. */
  const start = async (req: pb.TaskRequest__Output, abort: AbortController): Promise<TaskOutcome> => {
    if (state.draining) return { type: 'failure', code: grpc.status.UNAVAILABLE, message: 'worker is draining' };
    const key = taskKey(req.jobId, req.round, req.slot);
    running.get(key)?.abort(MASTER_CANCEL);
    running.set(key, abort);
    state.running++;
    try {
      return await runTask(runner, req, abort.signal);
    } finally {
      if (running.get(key) === abort) running.delete(key);
      state.running--;
      if (state.running === 0) deps.onIdle();
    }
  };
  const cancel = (jobId: string, round: string, slots: number[]): number => {
    let n = 0;
    for (const slot of slots) {
      const a = running.get(taskKey(jobId, round, slot));
      if (a && !a.signal.aborted) {
        a.abort(MASTER_CANCEL);
        n++;
      }
    }
    return n;
  };

  return {
    LoadBlocks(call, callback) {
      const refused = denied(call.metadata);
      if (refused) {
        call.destroy();
        return callback(refused);
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
          callback(serviceError(grpc.status.INVALID_ARGUMENT, (e as Error).message));
        }
      });
      call.on('end', () => {
        if (failed) return;
        try {
          asm.end();
        } catch (e) {
          return callback(serviceError(grpc.status.INVALID_ARGUMENT, (e as Error).message));
        }
        metrics.bytesReceived.inc(asm.bytesReceived);
        metrics.blocksStored.set(store.count());
        metrics.bytesStored.set(store.bytes());
        log.debug({ blocks: asm.blocksDone, bytes: asm.bytesReceived }, 'blocks loaded');
        callback(null, { blocksStored: asm.blocksDone, bytesReceived: String(asm.bytesReceived) });
      });
    },

    DropBlocks(call, callback) {
      const refused = denied(call.metadata);
      if (refused) return callback(refused);
      const n = store.drop(call.request.jobId, call.request.blockIds);
      metrics.blocksStored.set(store.count());
      metrics.bytesStored.set(store.bytes());
      callback(null, { blocksDropped: n });
    },

    Configure(call, callback) {
      const refused = denied(call.metadata);
      if (refused) return callback(refused);
      const r = call.request;
      try {
        if (r.reset) {
          const done = chaos.reset(r.jobId);
          log.info({ job: r.jobId, done }, 'chaos reset');
        } else if (r.delayOnly) {
          chaos.setDelay(r.jobId, delayFromMessage(r.delay), Number(r.seed));
          log.info({ job: r.jobId, delay: r.delay?.dist || 'none', per: chaos.unit }, 'delay changed');
        } else {
          chaos.configure({ jobId: r.jobId, delay: delayFromMessage(r.delay), fault: faultFromMessage(r.fault), seed: Number(r.seed), cores: r.cores || 1 });
          log.info({ job: r.jobId, delay: r.delay?.dist || 'none', per: chaos.unit, cores: chaos.cores }, 'chaos configured');
        }
        callback(null, {});
      } catch (e) {
        callback(serviceError(grpc.status.INVALID_ARGUMENT, (e as Error).message));
      }
    },

    CancelTasks(call, callback) {
      const refused = denied(call.metadata);
      if (refused) return callback(refused);
      callback(null, { cancelled: cancel(call.request.jobId, call.request.round, call.request.slots) });
    },

    RunTask(call, callback) {
      const refused = denied(call.metadata);
      if (refused) {
        metrics.tasks.inc({ kind: call.request.kind ?? 'none', outcome: 'refused' });
        return callback(refused);
      }
      const abort = new AbortController();
      call.on('cancelled', () => abort.abort());
      void start(call.request, abort).then((out) => {
        if (out.type === 'result') callback(null, out.result);
        else if (out.type === 'failure') callback(serviceError(out.code, out.message));
        // Cut off by the master: end the call here, so the master never resets the stream.
        else if (abort.signal.reason === MASTER_CANCEL) callback(serviceError(grpc.status.CANCELLED, 'cancelled by the master (straggler)'));
      });
    },

    Tasks(call) {
      const refused = denied(call.metadata);
      if (refused) {
        call.emit('error', refused);
        return;
      }
      /** Every task this stream started: ending the stream, for whatever reason, aborts them all. */
      const mine = new Set<AbortController>();
      let open = true;
      state.streams++;
      const closeAll = (): void => {
        if (open) state.streams--;
        open = false;
        for (const a of mine) a.abort();
        mine.clear();
      };
      call.on('cancelled', closeAll);
      call.on('error', closeAll);
      call.on('end', () => {
        closeAll();
        call.end();
      });
      const reply = (m: pb.TaskStreamReply): void => {
        if (open) call.write(m);
      };
      call.on('data', (msg: pb.TaskStreamRequest__Output) => {
        if (msg.round) {
          const { jobId, round, shared, slots } = msg.round;
          for (const s of slots) {
            const req = slotRequest(s, shared, jobId, round);
            const abort = new AbortController();
            mine.add(abort);
            void start(req, abort).then((out) => {
              mine.delete(abort);
              if (out.type === 'result') reply({ result: out.result });
              else if (out.type === 'failure') reply({ failure: { jobId, round, slot: s.slot, code: out.code, message: out.message } });
            });
          }
        } else if (msg.cancel) {
          cancel(msg.cancel.jobId, msg.cancel.round, msg.cancel.slots);
        }
      });
    },
  };
}
