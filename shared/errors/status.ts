import type { ServiceError } from '@grpc/grpc-js';
// grpc-js's status codes and Metadata from their own modules, not the package's index: every
// module that throws a typed error loads this file, a worker's compute threads too, and the index
// costs each thread about 5 MB and 45 ms to load. They are the very objects the index exports
// (test/unit/runtime/error-table.test.ts checks it).
import { Status as status } from '@grpc/grpc-js/build/src/constants';
import { Metadata } from '@grpc/grpc-js/build/src/metadata';
import {
  AlreadyExistsError,
  CancelledError,
  NotFoundError,
  ClusterError,
  CodaError,
  ExitCode,
  InputError,
  PermissionError,
  ResourceError,
  ShapeError,
  SingularMatrixError,
  NotPositiveDefiniteError,
  ConvergenceError,
  UnauthenticatedError,
  UnsupportedError,
} from './classes';

/**
 * The error table: each CodaError class, the gRPC status it travels as, and back. The class name
 * rides along in trailing metadata, so a ShapeError raised on a worker is a ShapeError on the
 * master, and the master's InputError an InputError in the client. The most specific class first.
 */
type ErrorClass = new (message: string) => CodaError;
const TABLE: readonly (readonly [ErrorClass, status])[] = [
  [ShapeError, status.INVALID_ARGUMENT],
  [NotPositiveDefiniteError, status.INVALID_ARGUMENT],
  [SingularMatrixError, status.INVALID_ARGUMENT],
  [ResourceError, status.RESOURCE_EXHAUSTED],
  [PermissionError, status.PERMISSION_DENIED],
  [UnauthenticatedError, status.UNAUTHENTICATED],
  [InputError, status.INVALID_ARGUMENT],
  [AlreadyExistsError, status.ALREADY_EXISTS],
  [NotFoundError, status.NOT_FOUND],
  [UnsupportedError, status.UNIMPLEMENTED],
  [ClusterError, status.UNAVAILABLE],
  [CancelledError, status.CANCELLED],
  [ConvergenceError, status.INTERNAL],
];

/** Status codes without a class of their own: what the other side's failure means here. */
const BY_CODE: Partial<Record<status, ErrorClass>> = {
  [status.INVALID_ARGUMENT]: InputError,
  [status.FAILED_PRECONDITION]: InputError,
  [status.OUT_OF_RANGE]: InputError,
  [status.RESOURCE_EXHAUSTED]: ResourceError,
  [status.PERMISSION_DENIED]: PermissionError,
  [status.UNAUTHENTICATED]: UnauthenticatedError,
  [status.ALREADY_EXISTS]: AlreadyExistsError,
  [status.NOT_FOUND]: NotFoundError,
  [status.UNIMPLEMENTED]: UnsupportedError,
  [status.CANCELLED]: CancelledError,
};

/** Trailing metadata key carrying the error's class name. */
export const ERROR_METADATA_KEY = 'x-coda-error';

/** The gRPC status an error travels as: its class's, INTERNAL for anything that is not a CodaError. */
export function statusOf(e: unknown): status {
  for (const [cls, code] of TABLE) if (e instanceof cls) return code;
  return status.INTERNAL;
}

/** An error's message, whatever was thrown. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A handler's failure as a ServiceError: the table's code, the message, the class name in metadata. */
export function toServiceError(e: unknown): ServiceError {
  const code = statusOf(e);
  const message = e instanceof CodaError ? messageOf(e) : `internal error: ${messageOf(e)}`;
  const metadata = new Metadata();
  if (e instanceof CodaError) metadata.set(ERROR_METADATA_KEY, e.name);
  return Object.assign(new Error(message), { code, details: message, metadata });
}

const BY_NAME = new Map<string, ErrorClass>(TABLE.map(([cls]) => [cls.name, cls]));

function classOf(code: status, className?: string): ErrorClass {
  return (className ? BY_NAME.get(className) : undefined) ?? BY_CODE[code] ?? ClusterError;
}

/** A status code and message from the other side (a task failure on the stream) as the table's class. */
export function fromStatus(code: status, message: string, className?: string): CodaError {
  return new (classOf(code, className))(message);
}

/**
 * A failed call as the table's class: a refusal (bad input, no permission, wrong token) stays the
 * caller's problem (exit 2), its message as the peer wrote it; the peer gone, a deadline, an
 * internal failure are the cluster's (exit 3), prefixed with `context` ("master 10.0.0.5:7070").
 */
export function fromServiceError(e: Partial<ServiceError> & { message: string }, context?: string): CodaError {
  const name = e.metadata?.get(ERROR_METADATA_KEY)[0];
  const cls = classOf(e.code ?? status.UNKNOWN, typeof name === 'string' ? name : undefined);
  const text = e.details || e.message;
  const clusters = cls === ClusterError || cls.prototype instanceof ClusterError;
  return new cls(context && clusters ? `${context}: ${text}` : text);
}

/** The exit code an error ends the CLI with. */
export function exitCodeOf(e: unknown): number {
  return e instanceof CodaError ? e.exitCode : ExitCode.internal;
}

/** One line for a terminal; with `stack`, the whole story (--log-level debug). */
export function describeError(e: unknown, stack = false): string {
  if (stack && e instanceof Error && e.stack) return e.stack;
  if (e instanceof CodaError) return e.message;
  return `internal error: ${messageOf(e)}${stack ? '' : ' (run with --log-level debug for the stack)'}`;
}
