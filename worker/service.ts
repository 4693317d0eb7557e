import { delaySchema, faultSchema, parseWith } from '../shared/config';
import { CancelledError, ClusterError, InputError, messageOf, statusOf, toServiceError } from '../shared/errors';
import { validateTraceStream, type DelaySpec } from '../shared/chaos';
import type { Logger } from '../shared/log';
import { delayFromMessage, faultFromMessage, type pb } from '../shared/wire';
import type { MasterAccess, ParamAccess } from './alpha-sources';
import { BlockAssembler, BlockStore } from './block-store';
import type { BulkReceiver } from './bulk-receiver';
import type { ChaosInjector, ChaosSettings } from './chaos-injector';
import type { ComputeEngine } from './compute';
import { CorePool } from './core-pool';
import { PROCESS_LOOP_LAG } from './loop-lag';
import type { WorkerMetrics } from './metrics';
import { runTask, type RunnerDeps, type TaskOutcome } from './task-runner';
import { sliceHandlers } from './slice-service';
import { defaultTaskBudget, type TaskBudget } from './task-budget';
import { TaskCancel } from './task-cancel';

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

/** The most cores a worker-round delay model spreads a round over. */
const MAX_CORES = 4096;

/**
 * A Configure request's chaos, range-checked on the worker by the job file's own schemas (a
 * probability in [0, 1], positive rates, weights that sum to 1): the worker does not trust the
 * master to have checked.
 */
function checkedChaos(r: pb.WorkerConfig__Output): Pick<ChaosSettings, 'delay' | 'fault' | 'seed' | 'cores'> {
  const delay = checkedDelay(delayFromMessage(r.delay));
  const fault = parseWith(faultSchema, faultFromMessage(r.fault), 'Configure.fault');
  const seed = Number(r.seed);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new InputError(`Configure.seed: ${r.seed} is not a seed`);
  const cores = r.cores || 1;
  if (!Number.isInteger(cores) || cores < 1 || cores > MAX_CORES) throw new InputError(`Configure.cores: must be a whole number in 1..${MAX_CORES}, got ${cores}`);
  return { delay, fault, seed, cores };
}

/**
 * The delay of a Configure: a trace arrives as this worker's own stream of values (the master read
 * the file), which the job file's schema does not know; its values and knobs are checked here.
 */
function checkedDelay(d: DelaySpec): DelaySpec {
  if (d.dist !== 'trace') return parseWith(delaySchema, d, 'Configure.delay');
  if (!d.stream) throw new InputError('Configure.delay: a trace without its stream of values');
  if (d.scale !== undefined && !(d.scale > 0 && Number.isFinite(d.scale))) throw new InputError(`Configure.delay.scale: must be a positive number, got ${d.scale}`);
  validateTraceStream(d.stream);
  return d;
}

/**
 * A slot of a RoundTasks message as a full request: the shared kind and payload unless it has its
 * own. The slot's decoded message is this stream's alone, so it is completed in place: a copy of
 * it (every field, with proto-loader's defaults) cost more than the rest of a no-op task's setup.
 */
export function slotRequest(s: pb.TaskRequest__Output, shared: pb.TaskRequest__Output | null, jobId: string, round: string): pb.TaskRequest__Output {
  s.jobId = jobId;
  s.round = round;
  const kind = shared?.kind;
  if (s.kind || !shared || !kind) return s;
  s.kind = kind;
  (s as unknown as Record<string, unknown>)[kind] = shared[kind];
  return s;
}

/**
 * The Worker gRPC service: a thin shell over the block store, the chaos injector and the task
 * runner. Tasks arrive on the long-lived Tasks stream (a round's slots in one message) or as a
 * unary RunTask (tools, tests); both run through runTask, which computes on the service's compute
 * side (its thread): this loop only receives, queues, injects the delay, answers and cancels. The
 * cluster token is checked before any handler runs (the server's token interceptor, shared/wire);
 * failures leave as the error table says.
 */
export function workerHandlers(deps: {
  store: BlockStore;
  chaos: ChaosInjector;
  state: WorkerState;
  log: Logger;
  metrics: WorkerMetrics;
  compute: ComputeEngine;
  /** A crash fault: ends this service (see RunnerDeps.crash). */
  crash: () => void;
  onIdle: () => void;
  /** The master, for task kinds that use its parameter store (absent when the worker has none). */
  master?: () => MasterAccess | undefined;
  /** The sharded parameter store: slices this worker owns (served by ReadSlice/WriteSlice) and its peers. */
  params: ParamAccess;
  /** What one task may allocate and answer with (default: defaultTaskBudget()). */
  budget?: TaskBudget;
  /** The bulk channel OpenBulk hands tickets for (absent: disabled, or TLS). */
  bulk?: BulkReceiver;
}): pb.WorkerHandlers {
  const { store, chaos, state, log, metrics } = deps;
  /** Running tasks by job, round and slot, so a cancel can reach them. */
  const running = new Map<string, TaskCancel>();
  const budget = deps.budget ?? defaultTaskBudget();
  const runner: RunnerDeps = { compute: deps.compute, chaos, cores: new CorePool(), metrics, log, index: () => state.index, crash: deps.crash, ...(deps.master ? { master: deps.master } : {}), params: deps.params };

  /** Starts one task under `abort`; resolves with its outcome once it has ended. */
  const start = async (req: pb.TaskRequest__Output, abort: TaskCancel): Promise<TaskOutcome> => {
    if (state.draining) return { type: 'failure', error: new ClusterError('worker is draining') };
    const key = taskKey(req.jobId, req.round, req.slot);
    running.get(key)?.abort(MASTER_CANCEL);
    running.set(key, abort);
    state.running++;
    try {
      return await runTask(runner, req, abort);
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
      if (a && !a.aborted) {
        a.abort(MASTER_CANCEL);
        n++;
      }
    }
    return n;
  };

  return {
    ...sliceHandlers(deps.params.slices, metrics),
    LoadBlocks(call, callback) {
      const asm = new BlockAssembler(store, budget.blockBytes);
      let failed = false;
      call.on('data', (chunk: pb.BlockChunk__Output) => {
        if (failed) return;
        try {
          if (chunk.part === 'header' && chunk.header) asm.header(chunk.header);
          else if (chunk.part === 'data' && chunk.data) asm.data(chunk.data);
        } catch (e) {
          failed = true;
          callback(toServiceError(e));
        }
      });
      call.on('end', () => {
        if (failed) return;
        try {
          asm.end();
        } catch (e) {
          return callback(toServiceError(e));
        }
        metrics.bytesReceived.inc(asm.bytesReceived);
        metrics.blocksStored.set(store.count());
        metrics.bytesStored.set(store.bytes());
        log.debug({ blocks: asm.blocksDone, bytes: asm.bytesReceived }, 'blocks loaded');
        callback(null, { blocksStored: asm.blocksDone, bytesReceived: String(asm.bytesReceived) });
      });
    },

    OpenBulk(call, callback) {
      const { jobId } = call.request;
      if (!jobId) return callback(toServiceError(new InputError('OpenBulk: job_id is empty')));
      // Port 0: the master streams through LoadBlocks instead.
      if (!deps.bulk || state.draining) return callback(null, { port: 0, ticket: Buffer.alloc(0) });
      callback(null, { port: deps.bulk.port, ticket: deps.bulk.issue(jobId) });
    },

    DropBlocks(call, callback) {
      const n = store.drop(call.request.jobId, call.request.blockIds);
      // The job is over here: its event-loop lag window closes with its last block.
      if (!store.holds(call.request.jobId)) PROCESS_LOOP_LAG.close(call.request.jobId);
      metrics.blocksStored.set(store.count());
      metrics.bytesStored.set(store.bytes());
      callback(null, { blocksDropped: n });
    },

    Configure(call, callback) {
      const r = call.request;
      try {
        if (r.reset) {
          const done = chaos.reset(r.jobId);
          PROCESS_LOOP_LAG.close(r.jobId);
          log.info({ job: r.jobId, done }, 'chaos reset');
        } else if (r.delayOnly) {
          chaos.setDelay(r.jobId, delayFromMessage(r.delay), Number(r.seed));
          log.info({ job: r.jobId, delay: r.delay?.dist || 'none', per: chaos.unit }, 'delay changed');
        } else {
          chaos.configure({ jobId: r.jobId, ...checkedChaos(r) });
          log.info({ job: r.jobId, delay: r.delay?.dist || 'none', per: chaos.unit, cores: chaos.cores }, 'chaos configured');
        }
        callback(null, {});
      } catch (e) {
        callback(toServiceError(e));
      }
    },

    CancelTasks(call, callback) {
      callback(null, { cancelled: cancel(call.request.jobId, call.request.round, call.request.slots) });
    },

    RunTask(call, callback) {
      const abort = new TaskCancel();
      call.on('cancelled', () => abort.abort());
      void start(call.request, abort).then((out) => {
        if (out.type === 'result') callback(null, out.result);
        else if (out.type === 'failure') callback(toServiceError(out.error));
        // Cut off by the master: end the call here, so the master never resets the stream.
        else if (abort.reason === MASTER_CANCEL) callback(toServiceError(new CancelledError('cancelled by the master (straggler)')));
      });
    },

    Tasks(call) {
      /** Every task this stream started: ending the stream, for whatever reason, aborts them all. */
      const mine = new Set<TaskCancel>();
      // A stream whose caller went away before this handler ran never sees 'cancelled': do not count it.
      if (call.cancelled) return;
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
            const abort = new TaskCancel();
            mine.add(abort);
            void start(req, abort).then((out) => {
              mine.delete(abort);
              if (out.type === 'result') reply({ result: out.result });
              else if (out.type === 'failure') reply({ failure: { jobId, round, slot: s.slot, code: statusOf(out.error), message: messageOf(out.error) } });
            });
          }
        } else if (msg.cancel) {
          cancel(msg.cancel.jobId, msg.cancel.round, msg.cancel.slots);
        }
      });
    },
  };
}
