/**
 * Saved state as JSON that keeps every number exactly: Float64Arrays travel as their bytes
 * (little-endian, bit for bit) and non-finite numbers (NaN, ±Infinity) as tagged strings, which
 * JSON.stringify would silently turn into null. A resumed job must see the very doubles it saved.
 *
 *   const { json, arrays } = encodeState({ x: new Float64Array([1, 2]), best: NaN });
 *   decodeState(json, arrays)   // { x: Float64Array [1, 2], best: NaN }
 *
 * `arrays` collects the Float64Arrays when a binary section holds them (checkpoint files); without
 * it they are written inline as base64 (history lines).
 */

/** What a checkpoint may hold. */
export type Saved = null | boolean | number | string | Float64Array | readonly Saved[] | { readonly [k: string]: Saved | undefined };

const F64 = '$f64';
const NUM = '$num';

function bytesOf(a: Float64Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Encodes `value`; Float64Arrays go to `arrays` (as indices) when it is given, else inline as base64. */
export function encodeState(value: unknown, arrays?: Float64Array[]): string {
  const walk = (v: unknown): unknown => {
    if (v instanceof Float64Array) {
      if (arrays) {
        arrays.push(v);
        return { [F64]: arrays.length - 1 };
      }
      return { [F64]: bytesOf(v).toString('base64') };
    }
    if (typeof v === 'number') return Number.isFinite(v) ? v : { [NUM]: String(v) };
    if (v === null || typeof v !== 'object') return v;
    if (ArrayBuffer.isView(v)) throw new TypeError(`cannot save a ${v.constructor.name}: only Float64Array`);
    if (Array.isArray(v)) return v.map(walk);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = walk(x);
    return out;
  };
  return JSON.stringify(walk(value));
}

/** The inverse of encodeState; `arrays` are the binary section's arrays, by index. */
export function decodeState(json: string, arrays: readonly Float64Array[] = []): unknown {
  const walk = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(walk);
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === F64) {
      const ref = o[F64];
      if (typeof ref === 'number') {
        const a = arrays[ref];
        if (!a) throw new RangeError(`saved state refers to array ${ref}, which the file does not hold`);
        return a;
      }
      if (typeof ref === 'string') {
        const b = Buffer.from(ref, 'base64');
        if (b.byteLength % 8 !== 0) throw new RangeError(`saved array of ${b.byteLength} bytes is not a whole number of doubles`);
        // Copy into aligned memory: a Buffer's offset need not be a multiple of 8.
        const out = new Float64Array(b.byteLength / 8);
        new Uint8Array(out.buffer).set(b);
        return out;
      }
    }
    if (keys.length === 1 && keys[0] === NUM && typeof o[NUM] === 'string') return Number(o[NUM]);
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = walk(o[k]);
    return out;
  };
  return walk(JSON.parse(json));
}
