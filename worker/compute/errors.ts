import {
  AlreadyExistsError,
  CancelledError,
  ClusterError,
  CodaError,
  InputError,
  NotFoundError,
  PermissionError,
  ResourceError,
  ShapeError,
  SingularMatrixError,
  UnauthenticatedError,
  UnsupportedError,
} from '../../shared/errors';
import type { ErrorMessage } from './protocol';

/**
 * Errors across the thread boundary keep their class: a ShapeError raised on the compute thread is
 * a ShapeError on the event loop, so it leaves on the wire as the error table says (status.ts).
 * Anything else stays a plain Error (an internal error).
 */
const CLASSES: readonly (new (message: string) => CodaError)[] = [
  ShapeError,
  SingularMatrixError,
  ResourceError,
  PermissionError,
  UnauthenticatedError,
  InputError,
  AlreadyExistsError,
  NotFoundError,
  UnsupportedError,
  ClusterError,
  CancelledError,
  CodaError,
];
const BY_NAME = new Map(CLASSES.map((c) => [c.name, c]));

export function errorToMessage(e: unknown): ErrorMessage {
  const names: string[] = [];
  if (e instanceof Error) {
    for (let p: unknown = Object.getPrototypeOf(e); p && p !== Error.prototype; p = Object.getPrototypeOf(p)) {
      names.push((p as { constructor: { name: string } }).constructor.name);
    }
  }
  return { names, message: e instanceof Error ? e.message : String(e) };
}

export function errorFromMessage(m: ErrorMessage): Error {
  for (const name of m.names) {
    const cls = BY_NAME.get(name);
    if (cls) return new cls(m.message);
  }
  return new Error(m.message);
}
