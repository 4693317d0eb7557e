import { readFileSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { InputError } from '../errors';

/** The metadata key that carries the cluster token. Never logged. */
export const TOKEN_METADATA_KEY = 'x-coda-token';

export interface TlsFiles {
  /** PEM files. A server needs cert+key; a client needs the CA that signed the server's cert. */
  ca?: string;
  cert?: string;
  key?: string;
}

function readPem(path: string | undefined, what: string): Buffer | null {
  if (!path) return null;
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read TLS ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

export function serverCredentials(tls?: TlsFiles): grpc.ServerCredentials {
  if (!tls || (!tls.cert && !tls.key)) return grpc.ServerCredentials.createInsecure();
  const cert = readPem(tls.cert, 'certificate');
  const key = readPem(tls.key, 'key');
  if (!cert || !key) throw new InputError('TLS needs both --tls-cert and --tls-key');
  return grpc.ServerCredentials.createSsl(readPem(tls.ca, 'CA'), [{ cert_chain: cert, private_key: key }], false);
}

export function channelCredentials(tls?: TlsFiles): grpc.ChannelCredentials {
  if (!tls || !tls.ca) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(readPem(tls.ca, 'CA'), readPem(tls.key, 'key'), readPem(tls.cert, 'certificate'));
}

/** Metadata carrying the token, or empty metadata when the cluster has none. */
export function tokenMetadata(token: string | undefined): grpc.Metadata {
  const md = new grpc.Metadata();
  if (token) md.set(TOKEN_METADATA_KEY, token);
  return md;
}

/** True when no token is configured, or the call presents the same one (constant time). */
export function tokenMatches(expected: string | undefined, md: grpc.Metadata): boolean {
  if (!expected) return true;
  const got = md.get(TOKEN_METADATA_KEY)[0];
  if (typeof got !== 'string') return false;
  const a = Buffer.from(got);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
