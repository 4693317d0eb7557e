/**
 * Where a worker service computes: a compute thread of its own (the default) or its event loop.
 *
 *   const engine = createComputeEngine('thread', { kernels, addon, budget, stored: () => store.entries(), log });
 *   const answer = await engine.run(request, signal);   // null: cancelled first
 */
import type { Kernels } from '../../shared/kernels';
import type { Logger } from '../../shared/log';
import type { StoredBlock } from '../block-store';
import type { TaskBudget } from '../task-budget';
import type { ComputeEngine, ComputeMode } from './engine';
import { InlineEngine } from './inline-engine';
import { ThreadEngine } from './thread-engine';

export { type ComputeAnswer, type ComputeEngine, type ComputeMode, type LoopHandle, type LoopRequest } from './engine';
export { Executor } from './executor';
export { InlineEngine } from './inline-engine';
export { ThreadEngine, threadEntry } from './thread-engine';
export { defaultAddon } from './thread-kernels';

export const COMPUTE_MODES: readonly ComputeMode[] = ['thread', 'inline'];

export function createComputeEngine(
  mode: ComputeMode,
  o: { kernels: Kernels; addon: string; budget: TaskBudget; stored: () => Iterable<[string, number, StoredBlock]>; log: Logger; loopIdle?: boolean },
): ComputeEngine {
  if (mode === 'inline') return new InlineEngine(o.kernels, o.budget);
  return new ThreadEngine({ kernels: o.kernels.name, addon: o.addon, budget: o.budget, loopIdle: o.loopIdle ?? false }, o.stored, o.log);
}
