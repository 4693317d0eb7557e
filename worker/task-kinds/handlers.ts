import { EIGENPRO_KINDS } from './eigenpro';
import { LINEAR_ALGEBRA_KINDS } from './linear-algebra';
import { LOGISTIC_KINDS } from './logistic';
import type { KindHandler, ThreadKindName } from './registry';
import { SOLVE_COLUMNS_KINDS } from './solve-columns';

/**
 * Every thread kind's handler, one table: each family module lists its own, and the type below
 * makes the compiler refuse a table that misses a kind KINDS says runs on the thread (a new kind
 * in the proto fails to compile until it has its row in KINDS and, if it runs on the thread, its
 * handler here). No registration by import side effect.
 */
const HANDLERS: { readonly [K in ThreadKindName]: KindHandler } = {
  ...LINEAR_ALGEBRA_KINDS,
  ...SOLVE_COLUMNS_KINDS,
  ...LOGISTIC_KINDS,
  ...EIGENPRO_KINDS,
};

/** The handler of a thread kind named on the wire, or undefined for a name that is none. */
export function kindHandler(kind: string): KindHandler | undefined {
  return Object.prototype.hasOwnProperty.call(HANDLERS, kind) ? HANDLERS[kind as ThreadKindName] : undefined;
}
