/**
 * Where a slot goes when its host is gone: a pure rule, so the round state machine decides
 * relocation itself and tests can script it. Prefer a live worker that already holds every
 * stored block the slot computes over (nothing to place), then the least loaded, then the lowest
 * index (a repeatable choice).
 */
export interface HostChoice {
  /** Workers that may take the slot (live, not already failed on it this round). */
  candidates: Iterable<number>;
  /** Stored block ids the slot computes over. */
  blocks: readonly number[];
  /** stored block id -> workers holding it */
  holders: ReadonlyMap<number, ReadonlySet<number>>;
  /** Slots each worker hosts now. */
  load: (worker: number) => number;
}

export function holdsAll(worker: number, blocks: readonly number[], holders: ReadonlyMap<number, ReadonlySet<number>>): boolean {
  return blocks.every((id) => holders.get(id)?.has(worker) ?? false);
}

/** The chosen worker, or undefined when there is no candidate. */
export function chooseHost(c: HostChoice): number | undefined {
  let best: number | undefined;
  let bestKey: [number, number] = [Infinity, Infinity];
  for (const w of c.candidates) {
    const key: [number, number] = [holdsAll(w, c.blocks, c.holders) ? 0 : 1, c.load(w)];
    if (key[0] < bestKey[0] || (key[0] === bestKey[0] && (key[1] < bestKey[1] || (key[1] === bestKey[1] && w < best!)))) {
      best = w;
      bestKey = key;
    }
  }
  return best;
}
