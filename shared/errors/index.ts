/**
 * Typed errors, and the one table that maps them to gRPC status codes and back, and to the
 * process's exit code (status.ts). Callers and tests tell bad input from a cluster failure by
 * class, never by message text.
 *
 *   try { ... } catch (e) { if (e instanceof InputError) ... }
 *   callback(toServiceError(e));                        // a handler's failure, as its gRPC status
 *   reject(fromServiceError(err, `worker ${i}`));        // and back, the same class on the other side
 *   return exitCodeOf(e);                                // the CLI: 2 bad input, 3 cluster failure
 */

export {
  ExitCode,
  CodaError,
  InputError,
  ShapeError,
  SingularMatrixError,
  NotPositiveDefiniteError,
  ConvergenceError,
  ResourceError,
  PermissionError,
  UnauthenticatedError,
  ClusterError,
  AlreadyExistsError,
  NotFoundError,
  UnsupportedError,
  CancelledError,
} from './classes';
export { messageOf, statusOf, toServiceError, fromServiceError, fromStatus, exitCodeOf, describeError, ERROR_METADATA_KEY } from './status';
