import { ClusterError } from '../../shared/errors';
import type { Kernels } from '../../shared/kernels';
import type { pb } from '../../shared/wire';
import type { StoredBlock } from '../block-store';
import type { TaskBudget } from '../task-budget';
import type { ComputeAnswer, ComputeEngine, LoopHandle, LoopRequest } from './engine';
import { Executor } from './executor';

/**
 * Computing on the event loop (`--compute inline`): the executor the compute thread hosts, called
 * directly. While a task computes, nothing else of the process runs: the reference for the
 * threaded path, and the before of its benchmarks.
 */
export class InlineEngine implements ComputeEngine {
  readonly mode = 'inline' as const;
  private readonly exec: Executor;
  private loops = 0;
  private closed = false;

  constructor(
    private readonly kernels: Kernels,
    budget: TaskBudget,
  ) {
    this.exec = new Executor(kernels, budget);
  }

  allocate(bytes: number): ArrayBuffer {
    return this.kernels.allocate(bytes);
  }

  blockPut(jobId: string, id: number, block: StoredBlock): void {
    this.exec.put(jobId, id, block);
  }

  blockDrop(jobId: string, ids: readonly number[] | null): void {
    this.exec.drop(jobId, ids);
  }

  blockClear(): void {
    this.exec.clear();
  }

  async run(request: pb.TaskRequest__Output, signal: AbortSignal): Promise<ComputeAnswer | null> {
    if (this.closed) throw new ClusterError('the worker service has stopped computing');
    const r = await this.exec.run(request, signal);
    if (signal.aborted) return null;
    return { shape: r.shape, values: r.values, computeSeconds: r.computeMs / 1000, waitedSeconds: 0, ...(r.iterations !== undefined ? { iterations: r.iterations } : {}) };
  }

  // async: a refusal is a rejected promise, as on the thread.
  async openLoop(o: LoopRequest): Promise<LoopHandle> {
    if (this.closed) throw new ClusterError('the worker service has stopped computing');
    const id = ++this.loops;
    const s = this.exec.openLoop(id, { ...o, alpha: (n) => new Float64Array(n), describeSlice: () => o.describeSlice });
    const exec = this.exec;
    return {
      start: s.start,
      end: s.end,
      centers: s.centers,
      batch: s.batch,
      alpha: s.alpha,
      step: async (fixed: number, tauHat: number, write: boolean) => exec.step(id, fixed, tauHat, write),
      writeOwn: async () => exec.writeOwn(id),
      takeDelta: async () => exec.takeDelta(id),
      close: () => exec.closeLoop(id),
    };
  }

  close(): Promise<void> {
    this.closed = true;
    this.exec.clear();
    return Promise.resolve();
  }
}
