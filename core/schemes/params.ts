import { z, type ZodError, type ZodType, type ZodTypeDef } from 'zod';
import { InputError } from '../../shared/errors';

/**
 * Zod pieces for a scheme's job-file keys, with messages that say what is allowed, and the
 * formatter that turns a zod error into one line naming the scheme, the key and the value:
 *   scheme replication: r must be an integer ≥ 1, got 1.5
 *   scheme wait-all: unknown key 'q' (known: none)
 */

/** An integer ≥ min. */
export function intAtLeast(min: number): z.ZodNumber {
  const msg = `must be an integer ≥ ${min}`;
  return z.number({ invalid_type_error: msg }).int({ message: msg }).min(min, { message: msg });
}

/** A finite number in (lo, hi] (or [lo, hi] when closedLow). */
export function numberIn(lo: number, hi: number, closedLow = false): z.ZodEffects<z.ZodNumber> {
  const msg = `must be a number in ${closedLow ? '[' : '('}${lo}, ${hi === Infinity ? '∞)' : `${hi}]`}`;
  return z
    .number({ invalid_type_error: msg })
    .refine((v) => Number.isFinite(v) && (closedLow ? v >= lo : v > lo) && v <= hi, { message: msg });
}

/** One of the given strings. */
export function oneOf<T extends string>(choices: readonly [T, ...T[]]): z.ZodEnum<[T, ...T[]]> {
  const msg = `must be one of ${choices.join(', ')}`;
  return z.enum(choices as [T, ...T[]], { errorMap: () => ({ message: msg }) });
}

function valueAt(raw: unknown, path: (string | number)[]): unknown {
  let v = raw;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

/** "scheme NAME: key must be ..., got VALUE", one issue a line. */
export function formatParamsError(scheme: string, err: ZodError, raw: unknown, known: readonly string[]): string {
  return err.issues
    .map((i) => {
      if (i.code === 'unrecognized_keys') {
        return `scheme ${scheme}: unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${k}'`).join(', ')} (known: ${known.length > 0 ? known.join(', ') : 'none'})`;
      }
      const key = i.path.join('.');
      const got = valueAt(raw, i.path);
      if (i.code === 'invalid_type' && i.received === 'undefined') return `scheme ${scheme}: ${key} is required`;
      const shown = got === undefined || i.path.length === 0 ? '' : `, got ${typeof got === 'number' ? String(got) : JSON.stringify(got)}`;
      return `scheme ${scheme}: ${key ? `${key} ` : ''}${i.message}${shown}`;
    })
    .join('\n');
}

/** The keys a params schema knows (for "known: ..." in messages), when it is an object schema. */
export function knownKeys(schema: ZodType<unknown, ZodTypeDef, unknown>): string[] {
  let s: unknown = schema;
  while (s instanceof z.ZodEffects) s = s.innerType();
  return s instanceof z.ZodObject ? Object.keys(s.shape as object) : [];
}

/** Validates `raw` (the job file's scheme mapping minus `name`) against a scheme's params schema. */
export function parseParams<P>(scheme: { name: string; params: ZodType<P, ZodTypeDef, unknown> }, raw: unknown): P {
  const r = scheme.params.safeParse(raw ?? {});
  if (!r.success) throw new InputError(formatParamsError(scheme.name, r.error, raw, knownKeys(scheme.params)));
  return r.data;
}

/**
 * The values of one parameter a scheme's adaptive candidates try: the policy's grid for `key`
 * (values of the fallback's type only), or the scheme's own default grid.
 */
export function gridValues<T extends number | string>(grid: Readonly<Record<string, readonly unknown[]>> | undefined, key: string, fallback: readonly T[]): readonly T[] {
  const given = grid?.[key];
  return given ? given.filter((v): v is T => typeof v === typeof fallback[0]) : fallback;
}
