import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { PermissionError } from '../../shared/errors';
import { splitHostPort } from '../../shared/wire';

/**
 * Who may register as worker i. With `--worker-statefulset NAME` the master admits only pods of
 * that StatefulSet, each under its own ordinal: a worker asking for index i must advertise the
 * stable DNS name of pod NAME-i (NAME-i.<headless service>..., as the manifests do) and must
 * connect from an address that name resolves to. Cluster DNS vouches for the pod, so a pod that
 * merely holds the token cannot pose as worker 0.
 */
export class WorkerIdentityError extends PermissionError {}

/**
 * The IP of a grpc-js peer string: "ip:port" with IPv6 unbracketed ("fd00::8:40000"), or
 * "[v6]:port". Always split at the last colon: the port is always there.
 */
function peerIp(peer: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(peer);
  if (bracketed) return bracketed[1]!;
  const i = peer.lastIndexOf(':');
  return i < 0 ? peer : peer.slice(0, i);
}

/** An IPv4 address seen through an IPv6 socket (::ffff:10.0.0.5) compared as plain IPv4. */
function canonicalIp(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return (m ? m[1]! : ip).toLowerCase();
}

/**
 * The pure half: the name a worker advertises must be its pod's, NAME-<requestedIndex>, as the
 * first label of a DNS name (not an IP address).
 */
export function checkStatefulSetName(statefulSet: string, advertised: string, requestedIndex: number): void {
  const { host } = splitHostPort(advertised);
  if (requestedIndex < 0) {
    throw new WorkerIdentityError(`workers of StatefulSet ${statefulSet} must ask for their ordinal as index (--index=ordinal); ${advertised} asked for none`);
  }
  const expected = `${statefulSet}-${requestedIndex}`;
  if (isIP(host) !== 0 || host.split('.')[0] !== expected) {
    throw new WorkerIdentityError(`a worker asking for index ${requestedIndex} must advertise the DNS name of pod ${expected} (${expected}.<service>:port), not ${advertised}`);
  }
}

export type Lookup = (host: string) => Promise<string[]>;

const systemLookup: Lookup = async (host) => (await dnsLookup(host, { all: true })).map((a) => a.address);

/**
 * The I/O half: the registering connection's peer (grpc-js getPeer(): "ip:port" or "[v6]:port")
 * must be one of the addresses the advertised host resolves to. A name that does not resolve
 * (yet: a new pod's DNS record can lag a moment) is refused too; the worker retries.
 */
export async function checkPeerIsAdvertised(peer: string, advertised: string, lookup: Lookup = systemLookup): Promise<void> {
  const ip = canonicalIp(peerIp(peer));
  const { host } = splitHostPort(advertised);
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await lookup(host);
  } catch (e) {
    throw new WorkerIdentityError(`cannot resolve the advertised name ${host}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (!addresses.map(canonicalIp).includes(ip)) {
    throw new WorkerIdentityError(`a worker at ${ip} advertised ${advertised}, which resolves to ${addresses.join(', ') || 'nothing'}`);
  }
}

/** Both halves, as the master's Register handler applies them when a StatefulSet is named. */
export async function verifyStatefulSetWorker(
  statefulSet: string,
  request: { address: string; requestedIndex: number },
  peer: string,
  lookup: Lookup = systemLookup,
): Promise<void> {
  checkStatefulSetName(statefulSet, request.address, request.requestedIndex);
  await checkPeerIsAdvertised(peer, request.address, lookup);
}
