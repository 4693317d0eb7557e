import { readFileSync } from 'node:fs';
import { InputError } from '../shared/errors';
import { formatBytes, machineAvailableBytes } from '../master';
import { defaultMaxWorkers, LOCAL_WORKERS_LIMIT } from '../launcher';
import type { TlsFiles } from '../shared/wire';

/** The token comes from the environment (CODA_TOKEN) or a file, never from argv (visible in ps). */
export function resolveToken(tokenFile?: string): string | undefined {
  if (tokenFile) {
    try {
      return readFileSync(tokenFile, 'utf8').trim() || undefined;
    } catch (e) {
      throw new InputError(`cannot read token file ${tokenFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  return process.env.CODA_TOKEN || undefined;
}

export function parsePort(v: string, what = '--port'): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InputError(`${what} must be an integer in 0..65535, got '${v}'`);
  return n;
}

export function parsePositiveInt(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InputError(`${what} must be a positive integer, got '${v}'`);
  return n;
}

/** A byte count: a whole number, optionally with a unit (kB, MB, GB, TB; KiB, MiB, GiB, TiB). */
export function parseBytes(v: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(|b|kb|mb|gb|tb|kib|mib|gib|tib)\s*$/i.exec(v);
  const units: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };
  const n = m ? Math.floor(Number(m[1]) * units[m[2]!.toLowerCase()]!) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new InputError(`${what} must be a positive number of bytes (like 4GiB, 500MB or 1048576), got '${v}'`);
  return n;
}

export function parseSeconds(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InputError(`${what} must be a number of seconds >= 0, got '${v}'`);
  return n;
}

export function tlsFrom(o: { tlsCa?: string; tlsCert?: string; tlsKey?: string }): TlsFiles | undefined {
  if (!o.tlsCa && !o.tlsCert && !o.tlsKey) return undefined;
  return { ...(o.tlsCa ? { ca: o.tlsCa } : {}), ...(o.tlsCert ? { cert: o.tlsCert } : {}), ...(o.tlsKey ? { key: o.tlsKey } : {}) };
}

/** Resolves when SIGINT or SIGTERM arrives. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(s);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/**
 * The workers a local cluster on this machine may start: --max-workers, or by default as many
 * as half its available memory holds (defaultMaxWorkers). Refuses more before any process starts.
 */
export function checkLocalWorkers(workers: number, maxFlag: string | undefined, what = 'workers'): void {
  const available = machineAvailableBytes();
  const max = maxFlag !== undefined ? parsePositiveInt(maxFlag, '--max-workers') : defaultMaxWorkers(available);
  if (workers <= max) return;
  const why = maxFlag !== undefined ? '--max-workers' : `--max-workers defaults to what ${formatBytes(available)} of available memory holds (about 80 MB a worker process), at most ${LOCAL_WORKERS_LIMIT}`;
  throw new InputError(`${what}: ${workers} is more than a local cluster here may start (${max}; ${why}); give --max-workers, or run on a real cluster with --master`);
}
