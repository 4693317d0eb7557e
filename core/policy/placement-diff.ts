import type { Plan } from '../schemes';

/**
 * What a re-plan must move: the stored blocks each physical worker needs under the new plan and
 * does not already hold under the old one (a stored block is the same when it combines the same
 * row ranges with the same coefficients, whatever its index in either plan), and those it can
 * drop. Pure; the integration places `send` and releases `drop`, so a switch from frc s=1 to
 * replication r=2 on the same K moves only what changes hosts, and a switch that changes K moves
 * what the new partition makes new.
 */
export interface PlacedLayout {
  plan: Plan;
  /** Physical worker of each logical host (plan host i runs on workers[i]). */
  workers: readonly number[];
  /** K+1 row offsets of the plan's data blocks. */
  blockStarts: readonly number[];
}

export interface PlacementDiff {
  /** Per physical worker: indices (into the new plan's `stored`) to place there. */
  send: Map<number, number[]>;
  /** Per physical worker: indices (into the old plan's `stored`) it no longer needs. */
  drop: Map<number, number[]>;
  /** Rows placed in all (Σ over sends of the stored block's rows): bytes = rows × cols × 8 (+ b). */
  rowsToSend: number;
}

export function placementDiff(from: PlacedLayout | undefined, to: PlacedLayout): PlacementDiff {
  const have = from ? heldBlocks(from) : new Map<number, Map<string, number>>();
  const need = heldBlocks(to);
  const send = new Map<number, number[]>();
  const drop = new Map<number, number[]>();
  let rowsToSend = 0;
  for (const [w, blocks] of need) {
    const held = have.get(w);
    for (const [key, id] of blocks) {
      if (held?.has(key)) continue;
      push(send, w, id);
      rowsToSend += rowsOf(to, id);
    }
  }
  for (const [w, blocks] of have) {
    const kept = need.get(w);
    for (const [key, id] of blocks) if (!kept?.has(key)) push(drop, w, id);
  }
  for (const m of [send, drop]) for (const ids of m.values()) ids.sort((a, b) => a - b);
  return { send, drop, rowsToSend };
}

/**
 * Each stored block's identity: the row ranges it combines and their coefficients, whatever its
 * index in the plan or the partition it was cut from (a plain block of rows 0..500 is the same
 * block under wait-all with K = 8 and frc with K = 8).
 */
export function storedBlockKeys(plan: Pick<Plan, 'stored'>, blockStarts: readonly number[]): string[] {
  return plan.stored.map((s) =>
    s.terms
      .map((t) => `${blockStarts[t.block]}:${blockStarts[t.block + 1]}*${t.coef}`)
      .sort()
      .join('+'),
  );
}

/** Physical worker -> (block identity -> stored index) for the slots it hosts and the backups it holds. */
function heldBlocks(l: PlacedLayout): Map<number, Map<string, number>> {
  const keys = storedBlockKeys(l.plan, l.blockStarts);
  const out = new Map<number, Map<string, number>>();
  const hold = (host: number, stored: number): void => {
    const w = l.workers[host];
    if (w === undefined) throw new RangeError(`placement diff: logical host ${host} has no worker (${l.workers.length} given)`);
    let m = out.get(w);
    if (!m) out.set(w, (m = new Map()));
    m.set(keys[stored]!, stored);
  };
  l.plan.slots.forEach((slot, s) => {
    for (const b of slot.blocks) {
      hold(slot.host, b.stored);
      for (const backup of l.plan.speculation?.backups[s] ?? []) hold(backup, b.stored);
    }
  });
  return out;
}

function rowsOf(l: PlacedLayout, stored: number): number {
  const j = l.plan.stored[stored]!.terms[0]!.block;
  return l.blockStarts[j + 1]! - l.blockStarts[j]!;
}

function push(m: Map<number, number[]>, w: number, id: number): void {
  const list = m.get(w) ?? [];
  list.push(id);
  m.set(w, list);
}
