import { ClusterError, InputError } from '../shared/errors';
import type { pb } from '../shared/wire';
import { MasterAlpha, ShardedAlpha, type AlphaSource, type MasterAccess, type ParamAccess } from './alpha-sources';
import { runAsyncEigenpro } from './async-loop';
import type { ComputeEngine } from './compute';
import { describeSlice, type SliceId } from './slice-store';
import type { KindResult, TaskKindName, ThreadKindName } from './task-kinds';

/** What a loop kind gets: it runs on the event loop and sends its computations to the compute side. */
export interface LoopContext {
  request: pb.TaskRequest__Output;
  compute: ComputeEngine;
  signal: AbortSignal;
  /** This worker's master (its parameter store: the centralized baseline); absent without one. */
  master?: MasterAccess;
  /** The sharded parameter store: the slices this worker owns and clients of its peers. */
  params?: ParamAccess;
  /** Draws the next injected delay (seconds), per iteration. */
  nextDelay: () => number;
  /** Sleeps an injected delay, the time slept right on average (chaos-injector.ts); false: aborted. */
  sleep: (seconds: number) => Promise<boolean>;
}

export type LoopKindName = Exclude<TaskKindName, ThreadKindName>;

/**
 * eigenproAsync: one leg of a worker's AsyncEigenPro loop. The own block's preconditioner (built by
 * eigenproSetup) is on the compute side; the own slice of the sharded store is shared memory the
 * compute thread writes in place.
 */
async function eigenproAsync(ctx: LoopContext): Promise<KindResult> {
  const t = ctx.request.eigenproAsync;
  if (!t) throw new InputError('eigenproAsync: missing payload');
  const jobId = ctx.request.jobId;
  const ownBlock = ctx.request.blocks[0]?.blockId;
  if (ownBlock === undefined) throw new InputError('eigenpro: the task names no blocks');
  const sharded = t.owners.length > 0;
  const id: SliceId = { jobId, name: t.parameter, slice: t.owner };
  if (sharded) {
    if (!ctx.params) throw new InputError('eigenproAsync: this worker serves no parameter slices');
  } else if (!ctx.master) throw new InputError('eigenproAsync: this worker has no master to read parameters from');
  // The own slice is created by the master before the loop; a slot moved off a lost worker finds none.
  const slice = sharded && ctx.params!.slices.has(id) ? ctx.params!.slices.shared(id) : undefined;
  const loop = await ctx.compute.openLoop({ jobId, ownBlock, seed: t.seed, batchSize: t.batchSize, ...(slice ? { slice } : {}), describeSlice: describeSlice(id) });
  try {
    let src: AlphaSource;
    if (sharded) {
      const o = t.owners[t.owner];
      if (!o || Number(o.start) !== loop.start || Number(o.end) !== loop.end) {
        throw new InputError(`eigenproAsync: slice ${t.owner} is [${o?.start}, ${o?.end}), this worker's data slice [${loop.start}, ${loop.end})`);
      }
      if (!slice) throw new ClusterError(`eigenproAsync: this worker holds no slice ${t.owner} of '${t.parameter}' (the master creates it before the loop; a slot moved off a lost worker finds none)`);
      src = new ShardedAlpha(t.owners, t.owner, jobId, t.parameter, ctx.params!.slices, ctx.params!.peers);
    } else {
      // The centralized baseline: α on the master.
      src = new MasterAlpha(ctx.master!, t.parameter, t.owner, loop.start, loop.end);
    }
    return await runAsyncEigenpro(loop, t, src, ctx.signal, ctx.nextDelay, ctx.sleep);
  } finally {
    loop.close();
  }
}

/** noop: an empty answer, on the loop (nothing to compute; its injected delay is slept before it). */
function noop(): Promise<KindResult> {
  return Promise.resolve({ shape: [0], values: new Float64Array(0) });
}

/** The loop kinds (task-kinds/registry.ts says which kinds those are). */
export const LOOP_KINDS: Readonly<Record<LoopKindName, (ctx: LoopContext) => Promise<KindResult>>> = { eigenproAsync, noop };
