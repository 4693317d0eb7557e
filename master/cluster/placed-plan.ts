import { Rng } from '../../shared/random';
import type { Plan } from '../schemes';
import type { PlacedPlan } from './types';
import type { OutgoingBlock } from './worker-client';

/** A placed plan as the master tracks it: current slot hosts, which worker holds what, the round count. */
export class Placed implements PlacedPlan {
  hosts: number[];
  taskDeadlineSeconds: number | undefined;
  bytesPlaced = 0;
  round = 0;
  /** Seeded from the job id: the send order of plans that shuffle it repeats with the job. */
  readonly rng: Rng;
  /** stored block id -> workers holding it */
  readonly holders = new Map<number, Set<number>>();
  constructor(
    readonly jobId: string,
    readonly plan: Plan,
    readonly blocks: OutgoingBlock[],
  ) {
    this.hosts = plan.slots.map((s) => s.host);
    let h = 2166136261;
    for (let i = 0; i < jobId.length; i++) h = Math.imul(h ^ jobId.charCodeAt(i), 16777619) >>> 0;
    this.rng = new Rng(h);
  }
}
