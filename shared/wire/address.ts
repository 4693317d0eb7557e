import { isIP } from 'node:net';
import { InputError } from '../errors';

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

/** One DNS label (letters, digits, hyphens, and the underscores Docker's names carry), 1..63 long. */
const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

/**
 * A "host:port" a peer will dial, checked the strict way: host a DNS name, an IPv4 address or an
 * IPv6 address in brackets; port 1..65535. An address that fails this can never be dialed
 * (grpc-js answers "Failed to parse DNS address" on every retry, for ever), so it is bad input
 * (InputError, exit 2) at once; one that parses but does not answer may be waited for.
 * `what` names where it came from ("--master", "job.yaml: master").
 */
export function parseHostPort(address: string, what: string): { host: string; port: number } {
  const refuse = (why: string): never => {
    throw new InputError(`${what} ${JSON.stringify(address)}: not a host:port address (${why})`);
  };
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(address);
  let host: string;
  let port: string | undefined;
  if (bracketed) {
    host = bracketed[1]!;
    port = bracketed[2];
    if (isIP(host) !== 6) refuse(`[${host}] is not an IPv6 address`);
  } else {
    if (isIP(address) === 6) refuse(`an IPv6 address needs brackets and a port: [${address}]:PORT`);
    const i = address.lastIndexOf(':');
    if (i < 0) refuse('no port: give HOST:PORT');
    host = address.slice(0, i);
    port = address.slice(i + 1);
    if (host === '') refuse('no host before the port');
    if (isIP(host) !== 4) {
      const name = host.endsWith('.') ? host.slice(0, -1) : host;
      if (name.length > 253 || !name.split('.').every((l) => LABEL.test(l)) || /^[\d.]+$/.test(name)) refuse(`'${host}' is neither a DNS name nor an IP address`);
    }
  }
  if (port === undefined) return refuse('no port: give HOST:PORT');
  const n = /^\d{1,5}$/.test(port) ? Number(port) : NaN;
  if (!(n >= 1 && n <= 65535)) refuse(`port '${port}' is not a number in 1..65535`);
  return { host, port: n };
}
