import * as grpc from '@grpc/grpc-js';

/** Options both roles' servers use: big enough for a placement chunk plus framing. */
export const SERVER_OPTIONS: grpc.ServerOptions = {
  // A round message carries a worker's slots with their own payloads (e.g. Hessian diagonals).
  'grpc.max_receive_message_length': 64 << 20,
  'grpc.max_send_message_length': 8 << 20,
  // Ping clients that hold long-lived streams (the master's task stream): a frozen or vanished
  // peer ends the stream within seconds, which is how a worker notices a lost master.
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
};

export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': 64 << 20,
  'grpc.max_send_message_length': 8 << 20,
  // Detect a dead peer on an idle connection within seconds, not the OS's minutes.
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
};

/** Binds `server` to host:port (port 0 picks a free one) and resolves with the bound port. */
export function bindServer(server: grpc.Server, host: string, port: number, creds: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.bindAsync(`${host}:${port}`, creds, (err, bound) => (err ? reject(err) : resolvePort(bound)));
  });
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
