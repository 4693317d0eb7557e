import type { Logger } from '../../shared/log';

/** An optional diagnostic's outcome: its value, or null and why it is missing. */
export type Diagnostic<T> = { value: T; error: null } | { value: null; error: string };

/** A diagnostic left out on purpose (too large to compute, turned off): null, with the reason. */
export function skippedDiagnostic(reason: string): Diagnostic<never> {
  return { value: null, error: reason };
}

/**
 * Computes an optional diagnostic after a run (a direct reference, an error against it): the
 * run's result is already in hand, so whatever goes wrong here (a rank-deficient A, a singular
 * kernel matrix, a library's refusal) costs the diagnostic, recorded as null with the reason,
 * never the result. `what` names it in the log.
 */
export async function tryDiagnostic<T>(what: string, compute: () => T | Promise<T>, log: Pick<Logger, 'warn'>): Promise<Diagnostic<T>> {
  try {
    return { value: await compute(), error: null };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    log.warn({ diagnostic: what, err: error }, 'an optional diagnostic could not be computed; the result is kept without it');
    return { value: null, error };
  }
}
