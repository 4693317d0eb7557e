import * as grpc from '@grpc/grpc-js';
import { toServiceError, UnauthenticatedError } from '../errors';
import { tokenMatches } from './credentials';

/** Services any caller may use: the standard health check (probes carry no token). */
const OPEN_SERVICES = ['/grpc.health.v1.Health/'];

/**
 * The cluster token, checked once for every call of a server before any handler sees it (the
 * grpc-node auth interceptor pattern): a call without the right token ends with UNAUTHENTICATED
 * at its metadata, so no handler, unary or streaming, needs its own check.
 */
export function tokenInterceptor(token: string): grpc.ServerInterceptor {
  return (method, call) => {
    if (OPEN_SERVICES.some((s) => method.path.startsWith(s))) return new grpc.ServerInterceptingCall(call);
    return new grpc.ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, pass) {
            if (tokenMatches(token, metadata)) return pass(metadata);
            const e = toServiceError(new UnauthenticatedError());
            call.sendStatus({ code: e.code, details: e.details, metadata: e.metadata });
          },
        });
      },
    });
  };
}

/** A server's options: the shared limits and keepalive, plus the token check when the cluster has a token. */
export function serverOptions(base: grpc.ServerOptions, token: string | undefined): grpc.ServerOptions {
  return token ? { ...base, interceptors: [tokenInterceptor(token)] } : base;
}
