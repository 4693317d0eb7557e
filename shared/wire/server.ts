import type { Http2Server, ServerHttp2Session } from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { InputError } from '../errors';
import { joinHostPort } from './address';
import { MAX_SEND_BYTES } from './limits';

/**
 * HTTP/2 flow control for placement: a 64 KiB window (the default) lets a sender put 64 KiB on
 * the wire per round trip of WINDOW_UPDATEs, and 16 KiB frames cost a JS callback each. Both
 * ends widen it: clients by grpc-js's channel option, servers (the workers receiving blocks)
 * through their sessions' settings, which grpc-js does not expose.
 */
export const FLOW_CONTROL_WINDOW = 32 << 20;
const MAX_FRAME = 1 << 20;

export { MAX_SEND_BYTES };

/** Options both roles' servers use: big enough for a placement chunk plus framing. */
export const SERVER_OPTIONS: grpc.ServerOptions = {
  // A round message carries a worker's slots with their own payloads (e.g. Hessian diagonals).
  'grpc.max_receive_message_length': 64 << 20,
  'grpc.max_send_message_length': MAX_SEND_BYTES,
  // Ping clients that hold long-lived streams (the master's task stream): a vanished master ends
  // the stream, which is how a worker notices it. Lenient: a master busy for seconds in one
  // computation (leverage scores of a large problem) must not be cut off by all its workers.
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 20_000,
  // No channelz bookkeeping on every message (nobody queries it; it costs on the hot path).
  'grpc.enable_channelz': 0,
};

export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': 64 << 20,
  'grpc.max_send_message_length': 8 << 20,
  // Detect a dead or frozen peer on an idle connection within a minute, not the OS's hours (a
  // crash is seen at once: the connection resets). Lenient enough for a worker process whose
  // event loop a long kernel holds for seconds; a silent task meanwhile has its own deadline.
  'grpc.keepalive_time_ms': 20_000,
  'grpc.keepalive_timeout_ms': 20_000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW,
  'grpc.enable_channelz': 0,
  // Coda retries at its own level (a slot moves to another worker); grpc-js's retry layer would
  // only buffer every message of the long-lived task streams.
  'grpc.enable_retries': 0,
};

/** Widens the receive window and frame size of every HTTP/2 session `server` accepts. */
function widenSessions(server: grpc.Server): void {
  // grpc-js keeps its node:http2 servers in a private map; if that ever changes, placement
  // just runs with the default window.
  const servers = (server as unknown as { http2Servers?: Map<Http2Server, unknown> }).http2Servers;
  if (!(servers instanceof Map)) return;
  for (const s of servers.keys()) {
    s.on('session', (session: ServerHttp2Session) => {
      try {
        session.setLocalWindowSize(FLOW_CONTROL_WINDOW);
        session.settings({ initialWindowSize: FLOW_CONTROL_WINDOW, maxFrameSize: MAX_FRAME });
      } catch {
        // A session closing as it opens: nothing to widen.
      }
    });
  }
}

/** Binds `server` to host:port (port 0 picks a free one) and resolves with the bound port. */
export function bindServer(server: grpc.Server, host: string, port: number, creds: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.bindAsync(joinHostPort(host, port), creds, (err, bound) => {
      if (err) {
        // grpc-js words every bind failure alike; the cause (EADDRINUSE, EACCES) is inside.
        const inUse = /EADDRINUSE/.test(err.message);
        return reject(new InputError(`cannot listen on ${joinHostPort(host, port)}: ${inUse ? 'the address is in use' : (/EACCES/.test(err.message) ? 'permission denied' : err.message)}`));
      }
      widenSessions(server);
      resolvePort(bound);
    });
  });
}

/**
 * Ends a server as a crash would: every connection on `address` (host:port as bound, the real
 * port) reset at once, the listener closed, nothing answered. forceShutdown alone is not enough:
 * with channelz off (SERVER_OPTIONS) grpc-js 1.14 does not track the sessions it would destroy,
 * so open streams would live on; drain with no grace resets them.
 */
export function abortServer(server: grpc.Server, address: string): void {
  server.drain(address, 0);
  server.forceShutdown();
}

export function shutdownServer(server: grpc.Server, graceMs = 2000): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      done();
    }, graceMs);
    timer.unref();
    server.tryShutdown(() => {
      clearTimeout(timer);
      done();
    });
  });
}
