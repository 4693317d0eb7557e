/** The error classes (the table that maps them to gRPC status and exit codes: status.ts). */

/** Exit codes: the CLI is the only place that exits, through exitCodeOf. */
export const ExitCode = {
  ok: 0,
  internal: 1,
  badInput: 2,
  cluster: 3,
  interrupted: 130,
} as const;

export class CodaError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = ExitCode.internal, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** The user gave us something we cannot use: a malformed file, a bad job key, NaN, wrong shapes. */
export class InputError extends CodaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.badInput, options);
  }
}

/** Shapes that do not fit together. */
export class ShapeError extends InputError {}

/** A matrix that is singular or rank deficient where an inverse or a full-rank solve is asked. */
export class SingularMatrixError extends InputError {}

/**
 * A matrix that is not positive definite where a Cholesky factorization is asked. A kind of
 * SingularMatrixError, so code that catches that (to fall back to LU) catches this too.
 */
export class NotPositiveDefiniteError extends SingularMatrixError {}

/** More than the machine, a message or a task's budget holds: a job too large, a task's result beyond the limit. */
export class ResourceError extends InputError {}

/** Not allowed: a data path outside the master's data root, a worker that is not the pod it claims to be. */
export class PermissionError extends InputError {}

/** A master presented no token or the wrong one: configuration, which no retry fixes. */
export class UnauthenticatedError extends InputError {
  constructor(message = 'missing or wrong cluster token') {
    super(message);
  }
}

/** The cluster could not do the work: no workers, every holder of a block lost, a timeout. */
export class ClusterError extends CodaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.cluster, options);
  }
}

/** What is asked for exists already (a worker index a live worker holds). */
export class AlreadyExistsError extends ClusterError {}

/** What was asked for is not held here (a job id a master does not know). */
export class NotFoundError extends ClusterError {}

/** The peer does not know what was asked (a task kind from a newer master): versions that do not match. */
export class UnsupportedError extends ClusterError {}

/** An iterative LAPACK routine (an eigen or singular value solver) did not converge: numpy's "SVD did not converge". */
export class ConvergenceError extends CodaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.internal, options);
  }
}

/** A task or job was cancelled (straggler cut off, job stopped). Not a failure. */
export class CancelledError extends CodaError {
  constructor(message = 'cancelled') {
    super(message, ExitCode.interrupted);
  }
}

