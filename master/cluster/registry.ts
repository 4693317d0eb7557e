import { EventEmitter } from 'node:events';
import { AlreadyExistsError, InputError } from '../../shared/errors';
import { splitHostPort } from '../../shared/wire/address';

export type WorkerStatus = 'alive' | 'lost';

export interface WorkerRecord {
  index: number;
  address: string;
  pid: number;
  status: WorkerStatus;
  lastHeartbeat: number;
  joinedAt: number;
}

/** A worker asked for an index that a live worker at another address holds. */
export class IndexTakenError extends AlreadyExistsError {
  constructor(
    readonly index: number,
    readonly holder: string,
  ) {
    super(`worker index ${index} is held by a live worker at ${holder}`);
  }
}

/**
 * A Register request's address must be one the master can dial: host:port (an IPv6 literal in
 * brackets), a host without spaces or control characters, a port in 1..65535. Checked before the
 * worker is recorded, so a bad one is refused (INVALID_ARGUMENT) instead of leaving a record
 * nobody can reach.
 */
export function checkWorkerAddress(address: string): void {
  const { host, port } = splitHostPort(address);
  const portOk = port !== undefined && /^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535;
  // eslint-disable-next-line no-control-regex
  if (!host || /[\s\u0000-\u001f\u007f/\\]/.test(host) || !portOk || address.length > 255) {
    throw new InputError(`Register: '${address.slice(0, 80)}' is not a host:port the master can dial`);
  }
}

export interface RegistryEvents {
  join: [WorkerRecord];
  lost: [WorkerRecord, string];
}

/**
 * The worker registry: join (gives an index), heartbeat, loss. Time is passed in, so tests drive
 * it without a clock; the master's server calls `sweep(now)` on a timer.
 */
export class WorkerRegistry extends EventEmitter<RegistryEvents> {
  private readonly workers = new Map<number, WorkerRecord>();
  /** The live workers' indices, ascending, until a join or a loss (every round asks for them). */
  private aliveCache: readonly number[] | undefined;

  constructor(
    /** A worker is lost after this many seconds without a heartbeat. */
    readonly heartbeatTimeoutSeconds = 3,
    readonly heartbeatIntervalSeconds = 0.5,
  ) {
    super();
  }

  /**
   * Registers a worker. A requested index is honoured when it is free, lost, or held by the same
   * address (a restarted StatefulSet pod, advertising its stable DNS name, takes its old index
   * back at once); a live worker at another address keeps it, and the newcomer gets an
   * IndexTakenError (it retries, and gets the index once the holder is declared lost). Without a
   * request, the lowest free index, reusing a lost worker's index only when its address is the same.
   */
  join(address: string, pid: number, requestedIndex: number, now: number): WorkerRecord {
    checkWorkerAddress(address);
    let index = requestedIndex;
    if (index < 0) {
      const same = [...this.workers.values()].find((w) => w.address === address);
      if (same) index = same.index;
      else {
        index = 0;
        while (this.workers.has(index)) index++;
      }
    } else {
      const holder = this.workers.get(index);
      if (holder && holder.status === 'alive' && holder.address !== address) throw new IndexTakenError(index, holder.address);
      // The process at this address is the newcomer now, whatever index it held before.
      for (const w of this.workers.values()) if (w.index !== index && w.address === address) this.markLost(w.index, `re-registered as worker ${index}`);
    }
    const rec: WorkerRecord = { index, address, pid, status: 'alive', lastHeartbeat: now, joinedAt: now };
    this.workers.set(index, rec);
    this.aliveCache = undefined;
    this.emit('join', rec);
    return rec;
  }

  /** Returns false when the index is unknown or lost (the worker should register again). */
  heartbeat(index: number, now: number): boolean {
    const w = this.workers.get(index);
    if (!w || w.status !== 'alive') return false;
    w.lastHeartbeat = now;
    return true;
  }

  markLost(index: number, reason: string): void {
    const w = this.workers.get(index);
    if (!w || w.status === 'lost') return;
    w.status = 'lost';
    this.aliveCache = undefined;
    this.emit('lost', w, reason);
  }

  /**
   * Marks workers silent for longer than the timeout (default: the registry's) as lost, except
   * those `connected` vouches for (their task stream is open: HTTP/2 keepalive watches them).
   */
  sweep(now: number, timeoutSeconds = this.heartbeatTimeoutSeconds, connected: (index: number) => boolean = () => false): void {
    for (const w of this.workers.values()) {
      if (w.status === 'alive' && connected(w.index)) w.lastHeartbeat = now;
      else if (w.status === 'alive' && now - w.lastHeartbeat > timeoutSeconds * 1000) {
        this.markLost(w.index, `no heartbeat for ${((now - w.lastHeartbeat) / 1000).toFixed(1)} s`);
      }
    }
  }

  get(index: number): WorkerRecord | undefined {
    return this.workers.get(index);
  }

  alive(): WorkerRecord[] {
    return [...this.workers.values()].filter((w) => w.status === 'alive').sort((a, b) => a.index - b.index);
  }

  /** The live workers' indices, ascending (the same array until a worker joins or is lost: do not change it). */
  aliveIndices(): readonly number[] {
    return (this.aliveCache ??= Object.freeze(this.alive().map((w) => w.index)));
  }

  all(): WorkerRecord[] {
    return [...this.workers.values()].sort((a, b) => a.index - b.index);
  }
}
