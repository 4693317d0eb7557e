/**
 * Typed errors. Each carries the process exit code the CLI maps it to, so callers and tests
 * can tell bad input from a cluster failure without matching message text.
 *
 *   try { ... } catch (e) { if (e instanceof InputError) ... }
 */

/** Exit codes, mapped in one place (cli/main.ts). */
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

/** The cluster could not do the work: no workers, every holder of a block lost, a timeout. */
export class ClusterError extends CodaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.cluster, options);
  }
}

/** A task or job was cancelled (straggler cut off, job stopped). Not a failure. */
export class CancelledError extends CodaError {
  constructor(message = 'cancelled') {
    super(message, ExitCode.interrupted);
  }
}

/** A master presented no token or the wrong one. */
export class UnauthenticatedError extends CodaError {
  constructor(message = 'missing or wrong cluster token') {
    super(message, ExitCode.cluster);
  }
}
