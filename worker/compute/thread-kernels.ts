import { jsKernels, type Kernels } from '../../shared/kernels';
// The addon's loader and the native kernel table, without selectKernels: that one also sets
// OpenBLAS's thread count, which is process-wide and set once, by the process, before any thread.
import { defaultAddonPath, loadBinding } from '../../shared/kernels/native/binding';
import { nativeKernels } from '../../shared/kernels/native/native-kernels';
import type { ThreadScheduling } from './loop-priority';

/** The kernel backend a compute thread computes with: the process's, loaded once more in this thread (the addon is context-aware). */
export function threadKernels(name: 'native' | 'js', addon: string): Kernels {
  return name === 'native' ? nativeKernels(loadBinding(addon)) : jsKernels;
}

/**
 * The addon's control of this thread's scheduling class (loop-priority.ts), loaded whatever the
 * kernels; none where the addon is not built or is a build without it (the thread then keeps its
 * class, and only its nice value ranks it below the event loop).
 */
export function threadScheduling(addon: string): ThreadScheduling | undefined {
  try {
    const b = loadBinding(addon);
    return typeof b.threadScheduling === 'function' ? { set: (idle) => b.threadScheduling!(idle) } : undefined;
  } catch {
    return undefined;
  }
}

/** The package's own build of the addon. */
export function defaultAddon(): string {
  return defaultAddonPath();
}
