import { Metadata, status } from '@grpc/grpc-js';
import { Status } from '@grpc/grpc-js/build/src/constants';
import { Metadata as DeepMetadata } from '@grpc/grpc-js/build/src/metadata';
import { describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  CancelledError,
  ClusterError,
  describeError,
  exitCodeOf,
  fromServiceError,
  fromStatus,
  InputError,
  PermissionError,
  ResourceError,
  ShapeError,
  SingularMatrixError,
  statusOf,
  toServiceError,
  UnauthenticatedError,
  UnsupportedError,
} from '../../../shared/errors';

describe('the error table (shared/errors)', () => {
  const rows: [Error, status, number][] = [
    [new InputError('bad key'), status.INVALID_ARGUMENT, 2],
    [new ShapeError('A has 3 rows but b has 2 values'), status.INVALID_ARGUMENT, 2],
    [new SingularMatrixError('singular'), status.INVALID_ARGUMENT, 2],
    [new ResourceError('too large'), status.RESOURCE_EXHAUSTED, 2],
    [new PermissionError('outside the data root'), status.PERMISSION_DENIED, 2],
    [new UnauthenticatedError(), status.UNAUTHENTICATED, 2],
    [new ClusterError('every holder of block 3 lost'), status.UNAVAILABLE, 3],
    [new AlreadyExistsError('index 2 held'), status.ALREADY_EXISTS, 3],
    [new UnsupportedError('unknown task kind'), status.UNIMPLEMENTED, 3],
    [new CancelledError(), status.CANCELLED, 130],
    [new TypeError('x is undefined'), status.INTERNAL, 1],
  ];
  for (const [err, code, exit] of rows) {
    it(`${err.constructor.name} travels as ${status[code]} and comes back as itself; exit ${exit}`, () => {
      expect(statusOf(err)).toBe(code);
      expect(exitCodeOf(err)).toBe(exit);
      const wire = toServiceError(err);
      expect(wire.code).toBe(code);
      const back = fromServiceError(wire);
      if (code === status.INTERNAL) {
        // Anything unexpected on the other side is the cluster's failure, said as such.
        expect(back).toBeInstanceOf(ClusterError);
        expect(back.message).toBe('internal error: x is undefined');
      } else {
        expect(back.constructor).toBe(err.constructor);
        expect(back.message).toBe(err.message);
      }
    });
  }

  it('a status without the class name maps by code; a cluster failure carries where it happened', () => {
    expect(fromStatus(status.INVALID_ARGUMENT, 'x')).toBeInstanceOf(InputError);
    expect(fromStatus(status.DEADLINE_EXCEEDED, 'x')).toBeInstanceOf(ClusterError);
    const e = fromServiceError({ code: status.UNAVAILABLE, details: 'No connection established', message: '14 UNAVAILABLE' }, 'master 10.0.0.5:7070');
    expect(e).toBeInstanceOf(ClusterError);
    expect(e.message).toBe('master 10.0.0.5:7070: No connection established');
    // A refusal keeps the peer's own words: it names the problem already.
    expect(fromServiceError({ code: status.INVALID_ARGUMENT, details: 'job.yaml: stop: unknown key', message: '' }, 'master m').message).toBe('job.yaml: stop: unknown key');
  });

  it('a terminal sees one line; the stack only when debugging', () => {
    const e = new TypeError('boom');
    expect(describeError(new InputError('bad'))).toBe('bad');
    expect(describeError(e)).toBe('internal error: boom (run with --log-level debug for the stack)');
    expect(describeError(e, true)).toMatch(/^TypeError: boom\n\s+at /);
  });
});

describe('the error table takes grpc-js\'s status codes and Metadata from their own modules (light for compute threads)', () => {
  it('they are the very objects the package exports', () => {
    expect(Status).toBe(status);
    expect(DeepMetadata).toBe(Metadata);
    expect(toServiceError(new InputError('x')).metadata).toBeInstanceOf(Metadata);
  });
});
