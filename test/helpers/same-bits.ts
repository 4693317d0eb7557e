import { expect } from 'vitest';

/**
 * Every typed array in two results holds the same bytes (+0 and −0 differ, NaN equals itself);
 * everything else is equal. What "the thread gives the inline path's answer" means.
 */
export function expectSameBits(a: unknown, b: unknown, path = 'result'): void {
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    expect(a.constructor, path).toBe(b.constructor);
    expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)), `${path}: bytes differ`).toBe(true);
  } else if (a !== null && typeof a === 'object' && b !== null && typeof b === 'object') {
    expect(Object.keys(a).sort(), path).toEqual(Object.keys(b).sort());
    for (const k of Object.keys(a)) expectSameBits((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
  } else {
    expect(Object.is(a, b), `${path}: ${String(a)} vs ${String(b)}`).toBe(true);
  }
}
