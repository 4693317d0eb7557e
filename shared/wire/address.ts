import { isIP } from 'node:net';

/** Splits "host:port", "[v6]:port" or a bare IPv6 literal (no port) into host and port. */
export function splitHostPort(address: string): { host: string; port?: string } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
  if (bracketed) return { host: bracketed[1]!, ...(bracketed[2] ? { port: bracketed[2] } : {}) };
  if (isIP(address) === 6) return { host: address };
  const i = address.lastIndexOf(':');
  return i < 0 ? { host: address } : { host: address.slice(0, i), port: address.slice(i + 1) };
}

/** "host:port", with an IPv6 literal in brackets as gRPC targets need it ("[fd00::5]:7070"). */
export function joinHostPort(host: string, port: number | string): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
