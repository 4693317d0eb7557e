import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ClusterError } from '../shared/errors';

/**
 * How many workers a job gets when the cluster's size is set by its orchestrator rather than
 * by the job file: as many as a DNS name has addresses. Compose's service name (`worker`)
 * resolves to every replica `--scale worker=N` started; a StatefulSet's headless Service (with
 * publishNotReadyAddresses) to every pod that has an address, so `kubectl scale` reaches the
 * next job submitted. The count is taken once it has held still for a while (replicas start
 * one by one) and, where the master is asking, once that many workers have registered.
 */

/** Every address a name resolves to (none for a name that does not resolve). */
export type ResolveAll = (name: string) => Promise<string[]>;

export interface SettleOptions {
  /** Wait until at least this many addresses (and registrations) exist. */
  min: number;
  /** The count must stay the same this long before it is taken. */
  settleMs: number;
  /** Give up (ClusterError) after this long. */
  timeoutMs: number;
  /** Time between lookups. */
  pollMs: number;
  /** Workers registered with the master now, when the master itself asks: the count waits for them. */
  registered?: () => number;
  /** Said once while the count is short of `min` or of the registrations. */
  onWait?: (message: string) => void;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

export const systemResolveAll: ResolveAll = async (name) => {
  try {
    return (await dnsLookup(name, { all: true })).map((a) => a.address);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA' || code === 'EAI_AGAIN') return [];
    throw e;
  }
};

/**
 * Workers behind a set of addresses: a dual-stack pod has an IPv4 and an IPv6 address, so the
 * count is that of the larger family, not of all addresses.
 */
export function countWorkers(addresses: string[]): number {
  const unique = new Set(addresses.map((a) => a.toLowerCase()));
  let v4 = 0;
  let v6 = 0;
  for (const a of unique) {
    if (isIP(a) === 4) v4++;
    else if (isIP(a) === 6) v6++;
  }
  return Math.max(v4, v6);
}

/** The settled worker count behind `name` (SettleOptions says when it has settled). */
export async function settledWorkerCount(name: string, o: SettleOptions, resolveAll: ResolveAll = systemResolveAll, clock: Clock = realClock): Promise<number> {
  const start = clock.now();
  let last = -1;
  let since = start;
  let said = false;
  for (;;) {
    const n = countWorkers(await resolveAll(name));
    const now = clock.now();
    if (n !== last) {
      last = n;
      since = now;
    }
    const registered = o.registered?.();
    const enough = n >= o.min && (registered === undefined || registered >= n);
    if (enough && now - since >= o.settleMs) return n;
    if (now - start >= o.timeoutMs) {
      throw new ClusterError(
        n < o.min
          ? `${name} resolves to ${n} worker address(es) after ${Math.round(o.timeoutMs / 1000)} s, fewer than the ${o.min} needed`
          : `${name} resolves to ${n} workers, but only ${registered ?? 0} registered within ${Math.round(o.timeoutMs / 1000)} s`,
      );
    }
    if (!enough && !said && o.onWait && now - start >= o.settleMs) {
      said = true;
      o.onWait(`waiting for the workers behind ${name}: ${n} address(es)${registered !== undefined ? `, ${registered} registered` : ''}, at least ${o.min} needed`);
    }
    await clock.sleep(o.pollMs);
  }
}
