import type { Plan } from '../schemes';
import { storedBlockKeys } from './placement-diff';

/**
 * One name per distinct stored block across every plan a job places: the id workers know the
 * block by. Two plans that share a block (the same rows with the same coefficients) give it the
 * same id, so a re-plan leaves it where it is and streams only what is new (placement-diff.ts
 * decides what moves; this makes the cluster agree). Pure.
 */
export class BlockCatalog {
  private readonly ids = new Map<string, number>();
  private readonly byId: string[] = [];

  /** The ids of a plan's stored blocks (index in plan.stored -> id), new ids for blocks never seen. */
  idsFor(plan: Pick<Plan, 'stored'>, blockStarts: readonly number[]): number[] {
    return storedBlockKeys(plan, blockStarts).map((k) => this.idOf(k));
  }

  /** The id of a block identity ("start:end*coef+..."). */
  idOf(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.byId.length;
      this.ids.set(key, id);
      this.byId.push(key);
    }
    return id;
  }

  keyOf(id: number): string | undefined {
    return this.byId[id];
  }

  get size(): number {
    return this.byId.length;
  }
}

/** A plain block's rows ("start:end*1") from its identity, or undefined for a coded or rescaled one. */
export function plainRows(key: string): { start: number; end: number } | undefined {
  const m = /^(\d+):(\d+)\*1$/.exec(key);
  return m ? { start: Number(m[1]), end: Number(m[2]) } : undefined;
}
