import type * as grpc from '@grpc/grpc-js';
import { ClusterError } from '../errors';

/** A generated client's unary method, bound to its client. */
export type UnaryMethod<Req, Res> = (req: Req, md: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: Res) => void) => void;

/**
 * One unary call as a promise, with a deadline; a failure becomes a ClusterError that says what
 * was being done (`what`) and the status's details.
 */
export function unaryCall<Req, Res>(fn: UnaryMethod<Req, Res>, req: Req, md: grpc.Metadata, deadlineMs: number, what: string): Promise<Res> {
  return new Promise((resolve, reject) => {
    fn(req, md, { deadline: Date.now() + deadlineMs }, (e, r) =>
      e || !r ? reject(new ClusterError(`${what}: ${e?.details || e?.message || 'empty reply'}`, { cause: e })) : resolve(r),
    );
  });
}
