/** About 1 MiB per message: far under gRPC's 4 MiB default, large enough to amortize framing. */
export const CHUNK_BYTES = 1 << 20;

/** Consecutive views of `bytes`, each at most `chunkBytes` long (no copies). */
export function* chunks(bytes: Uint8Array, chunkBytes = CHUNK_BYTES): Generator<Uint8Array> {
  for (let off = 0; off < bytes.byteLength; off += chunkBytes) {
    yield bytes.subarray(off, Math.min(off + chunkBytes, bytes.byteLength));
  }
}
