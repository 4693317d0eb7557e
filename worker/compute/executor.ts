import { performance } from 'node:perf_hooks';
import { InputError, UnsupportedError } from '../../shared/errors';
import type { Kernels } from '../../shared/kernels';
import type { pb } from '../../shared/wire';
import type { StoredBlock } from '../block-store';
import type { SharedSlice } from '../shared-slice';
import { allocate, type TaskBudget } from '../task-budget';
import { AsyncStepper, kindHandler, type KindResult, type StepOutcome } from '../task-kinds';

/**
 * What a worker service computes with, wherever it runs: its view of the blocks, the thread
 * kinds' handlers, and the compute side of AsyncEigenPro loops. The compute thread hosts one
 * (thread-main.ts); the inline engine runs one on the event loop (the reference: the same code,
 * so the same answers bit for bit).
 */
export class Executor {
  private readonly jobs = new Map<string, Map<number, StoredBlock>>();
  private readonly loops = new Map<number, AsyncStepper>();

  constructor(
    readonly kernels: Kernels,
    private readonly budget: TaskBudget,
  ) {}

  put(jobId: string, id: number, block: StoredBlock): void {
    let m = this.jobs.get(jobId);
    if (!m) this.jobs.set(jobId, (m = new Map()));
    m.set(id, block);
  }

  /** Forgets blocks of a job (all of them: ids null). */
  drop(jobId: string, ids: readonly number[] | null): void {
    if (!ids) this.jobs.delete(jobId);
    else for (const id of ids) this.jobs.get(jobId)?.delete(id);
  }

  clear(): void {
    this.jobs.clear();
  }

  private block(jobId: string, id: number): StoredBlock {
    const b = this.jobs.get(jobId)?.get(id);
    if (!b) throw new InputError(`block ${id} of job '${jobId}' is not stored on this worker`);
    return b;
  }

  /** Runs a thread kind's handler on the blocks the request names. */
  async run(request: pb.TaskRequest__Output, signal: AbortSignal): Promise<KindResult & { computeMs: number }> {
    const kind = request.kind ?? 'none';
    const handler = kindHandler(kind);
    if (!handler) throw new UnsupportedError(`task kind '${kind}' does not run on the compute thread`);
    const blocks = request.blocks.map((b) => ({ block: this.block(request.jobId, b.blockId), weight: b.weight, id: b.blockId }));
    const t0 = performance.now();
    const out = await handler({ request, blocks, kernels: this.kernels, signal, allocate: (n, what, result) => allocate(this.budget, n, what, result) });
    return { ...out, computeMs: performance.now() - t0 };
  }

  /** Opens the compute side of an AsyncEigenPro loop on the own block (its preconditioner built by eigenproSetup). */
  openLoop(loop: number, o: { jobId: string; ownBlock: number; seed: string; batchSize: number; alpha: (centers: number) => Float64Array; slice?: SharedSlice; describeSlice: () => string }): AsyncStepper {
    const own = this.block(o.jobId, o.ownBlock);
    const stepper = new AsyncStepper({ own, seed: o.seed, batchSize: o.batchSize, alpha: o.alpha, ...(o.slice ? { slice: o.slice } : {}), describeSlice: o.describeSlice });
    this.loops.set(loop, stepper);
    return stepper;
  }

  private loop(loop: number): AsyncStepper {
    const s = this.loops.get(loop);
    if (!s) throw new InputError(`no AsyncEigenPro loop ${loop} open on this worker`);
    return s;
  }

  step(loop: number, fixed: number, tauHat: number, write: boolean): StepOutcome {
    return this.loop(loop).step(fixed, tauHat, write);
  }

  writeOwn(loop: number): { version: number; writtenAtUs: number } {
    return this.loop(loop).writeOwn();
  }

  takeDelta(loop: number): Float64Array {
    return this.loop(loop).takeDelta();
  }

  closeLoop(loop: number): void {
    this.loops.delete(loop);
  }
}
