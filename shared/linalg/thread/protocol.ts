import {
  CancelledError,
  ClusterError,
  CodaError,
  ConvergenceError,
  InputError,
  NotPositiveDefiniteError,
  ResourceError,
  ShapeError,
  SingularMatrixError,
} from '../../errors';
import type { LinalgBackendName } from '../types';

/** What the pool sends a compute thread at start (workerData). */
export interface ThreadInit {
  backend: LinalgBackendName | 'auto';
  addon?: string;
  /** Set OpenBLAS's process-wide thread count to this before anything else (the first thread only). */
  blasThreads?: number;
}

/** The thread's first message. */
export type ThreadReady =
  | { kind: 'ready'; name: LinalgBackendName; warning?: string; failure?: string; blas?: { config: string; threads: number } }
  | { kind: 'failed'; error: WireError };

export interface CallRequest {
  id: number;
  /** A LinalgOp, or one of the role's own operations (serve.ts's ThreadOps). */
  op: string;
  args: unknown[];
}

export type CallReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: WireError };

/** An error as it crosses the thread boundary: its class by name, rebuilt on the other side. */
export interface WireError {
  name: string;
  message: string;
  exitCode?: number;
}

export function toWireError(e: unknown): WireError {
  if (e instanceof Error) return { name: e.name, message: e.message, ...(e instanceof CodaError ? { exitCode: e.exitCode } : {}) };
  return { name: 'Error', message: String(e) };
}

/** The classes a linear algebra call can raise, so a SingularMatrixError in the thread is one in the caller. */
const CODA_CLASSES: Record<string, new (message: string) => CodaError> = {
  InputError,
  ShapeError,
  SingularMatrixError,
  NotPositiveDefiniteError,
  ConvergenceError,
  ResourceError,
  ClusterError,
  CancelledError,
};
const BUILT_IN: Record<string, new (message: string) => Error> = { Error, TypeError, RangeError };

export function fromWireError(w: WireError): Error {
  const coda = CODA_CLASSES[w.name];
  if (coda) return new coda(w.message);
  if (w.name === 'CodaError') return new CodaError(w.message, w.exitCode);
  const e = new (BUILT_IN[w.name] ?? Error)(w.message);
  if (!BUILT_IN[w.name]) e.name = w.name;
  return e;
}

/** The ArrayBuffers of a result's typed arrays, to transfer instead of copy (shared memory stays shared). */
export function transferablesOf(value: unknown, out: Set<ArrayBuffer> = new Set(), depth = 0): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) out.add(value.buffer);
  } else if (value !== null && typeof value === 'object' && depth < 4) {
    for (const v of Object.values(value)) transferablesOf(v, out, depth + 1);
  }
  return [...out];
}
