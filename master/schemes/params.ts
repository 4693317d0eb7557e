import { InputError } from '../../shared/errors';

/**
 * Small validators for a scheme's job-file keys, so every scheme rejects an unknown or bad key
 * with a message that names the scheme, the key and what is allowed.
 */

export function rejectUnknownKeys(scheme: string, params: Record<string, unknown>, known: readonly string[]): void {
  for (const k of Object.keys(params)) {
    if (!known.includes(k)) {
      throw new InputError(`scheme ${scheme}: unknown key '${k}' (known: ${known.length > 0 ? known.join(', ') : 'none'})`);
    }
  }
}

/** An integer ≥ min, or undefined when absent. */
export function optionalInt(scheme: string, params: Record<string, unknown>, key: string, min: number): number | undefined {
  const v = params[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new InputError(`scheme ${scheme}: ${key} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** A finite number in the interval (lo, hi] (or [lo, hi] when closedLow), or undefined when absent. */
export function optionalNumber(
  scheme: string,
  params: Record<string, unknown>,
  key: string,
  lo: number,
  hi: number,
  closedLow = false,
): number | undefined {
  const v = params[key];
  if (v === undefined) return undefined;
  const ok = typeof v === 'number' && Number.isFinite(v) && (closedLow ? v >= lo : v > lo) && v <= hi;
  if (!ok) {
    const range = `${closedLow ? '[' : '('}${lo}, ${hi === Infinity ? '∞)' : `${hi}]`}`;
    throw new InputError(`scheme ${scheme}: ${key} must be a number in ${range}, got ${JSON.stringify(v)}`);
  }
  return v as number;
}

/** One of the given strings, or undefined when absent. */
export function optionalChoice<T extends string>(
  scheme: string,
  params: Record<string, unknown>,
  key: string,
  choices: readonly T[],
): T | undefined {
  const v = params[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    throw new InputError(`scheme ${scheme}: ${key} must be one of ${choices.join(', ')}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}

/** Copies the keys that are present, so a parsed params object has no `undefined` values. */
export function defined(entries: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) out[k] = v;
  return out;
}
