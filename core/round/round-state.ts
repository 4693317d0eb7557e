import type { Decoded, RoundDecoder, WeightedSum } from '../schemes';
import { chooseHost, holdsAll } from './host-policy';

/**
 * One round as a pure state machine (Dask's worker_state_machine habit): events in (start,
 * arrived, failed, lost, tick), instructions out, no sockets and no clock (times in ms are
 * passed in). The round owns its view of the hosts: a slot whose host is lost or fails is
 * relocated here by the pure host policy and comes out as a `send` (with `place` when the new
 * host must first receive the slot's blocks). RoundRun (master/cluster/round-run.ts) is the
 * gRPC shell around it and arms one timer at `nextDeadline()`.
 */
export type Instruction =
  | { type: 'send'; slot: number; worker: number; backup: boolean; place: boolean }
  | { type: 'cancel'; slot: number; worker: number }
  | { type: 'decode' }
  /** No live worker can run what is left and the decoder cannot do without it. */
  | { type: 'fail'; reason: string };

interface Attempt {
  worker: number;
  sentAt: number;
  backup: boolean;
  open: boolean;
}

export interface SpeculationPolicy {
  quantile: number;
  multiplier: number;
  /** Alternative hosts for each slot (they store the slot's blocks too). */
  backups: number[][];
}

export interface RoundSetup {
  /** Host of each slot at the round's start (copied: the round owns its view). */
  hosts: readonly number[];
  /** Workers alive at the start. */
  live: Iterable<number>;
  /** Stored block ids each slot computes over. */
  slotBlocks: readonly (readonly number[])[];
  /** stored block id -> workers holding it (copied). */
  holders: ReadonlyMap<number, ReadonlySet<number>>;
  decoder: RoundDecoder;
  startedAt: number;
  speculation?: SpeculationPolicy;
  /** Seconds after which the round decodes with what it has, if the decoder allows. */
  timeoutSeconds?: number;
  /** Seconds a task may stay unanswered before it is given up and its slot run elsewhere. */
  deadlineSeconds?: number;
}

export interface StragglerRecord {
  slot: number;
  worker: number;
  sentAt: number;
  cutAt: number;
}

export class RoundState {
  private readonly attempts: Attempt[][];
  /** Every attempt in send order (so in deadline order): the next deadline is its first open one. */
  private readonly sent: Attempt[] = [];
  private sentHead = 0;
  private readonly answered = new Set<number>();
  private readonly failedOn = new Map<number, Set<number>>();
  private readonly openOn = new Map<number, number>();
  private readonly live: Set<number>;
  private readonly holders: Map<number, Set<number>>;
  private readonly decoder: RoundDecoder;
  private readonly setup: RoundSetup;
  private decided = false;
  private lastNow: number;
  /** Current host of each slot (relocations included): the placed plan adopts it after the round. */
  readonly hosts: number[];
  /** Seconds from round start to each slot's first answer, in arrival order (so sorted). */
  readonly arrivalTimes: { slot: number; worker: number; seconds: number }[] = [];
  backupsLaunched = 0;
  /** Slots moved to another worker after their host was lost or failed them. */
  relocations = 0;
  /** Copies cancelled because another copy of their slot answered first. */
  readonly losers: StragglerRecord[] = [];
  /** Slots still out when the round decoded, charged to the worker running them then. */
  private readonly cut: StragglerRecord[] = [];

  constructor(setup: RoundSetup) {
    this.setup = setup;
    this.decoder = setup.decoder;
    this.hosts = [...setup.hosts];
    this.live = new Set(setup.live);
    this.holders = new Map([...setup.holders].map(([id, ws]) => [id, new Set(ws)]));
    this.attempts = this.hosts.map(() => []);
    this.lastNow = setup.startedAt;
  }

  get done(): boolean {
    return this.decided;
  }

  start(): Instruction[] {
    const out: Instruction[] = [];
    this.hosts.forEach((worker, slot) => {
      if (this.live.has(worker)) out.push(this.send(slot, worker, this.setup.startedAt, false));
      else out.push(...this.relocate(slot, this.setup.startedAt));
    });
    return [...out, ...this.stuck()];
  }

  arrived(slot: number, worker: number, value: Float64Array, now: number): Instruction[] {
    this.lastNow = now;
    this.close(slot, worker);
    if (this.decided || this.answered.has(slot)) return [];
    this.answered.add(slot);
    this.arrivalTimes.push({ slot, worker, seconds: (now - this.setup.startedAt) / 1000 });
    const out: Instruction[] = [];
    // The first answer for a slot wins; its other copies are cut off (a speculative backup or
    // the original beat them).
    for (const a of this.attempts[slot]!) {
      if (!a.open) continue;
      this.closeAttempt(a);
      out.push({ type: 'cancel', slot, worker: a.worker });
      this.losers.push({ slot, worker: a.worker, sentAt: a.sentAt, cutAt: now });
    }
    if (this.decoder.add(slot, value) || (this.pastTimeout(now) && this.decoder.canDecodeEarly())) return [...out, ...this.finish(now)];
    // The last open task answered and a slot that failed everywhere is still missing: stuck now, not at a deadline.
    return [...out, ...this.speculate(now), ...this.stuck()];
  }

  /** The task of `slot` on `worker` failed (an error, a worker draining): run the slot elsewhere. */
  failed(slot: number, worker: number, now: number): Instruction[] {
    this.lastNow = now;
    this.close(slot, worker);
    this.failedSlot(slot, worker);
    if (this.decided || this.answered.has(slot) || this.attempts[slot]!.some((a) => a.open)) return [];
    return [...this.relocate(slot, now), ...this.stuck()];
  }

  /** A worker is gone: every slot it was running moves (unless another copy is still out). */
  lost(worker: number, now: number): Instruction[] {
    this.lastNow = now;
    this.live.delete(worker);
    if (this.decided) return [];
    const out: Instruction[] = [];
    this.attempts.forEach((list, slot) => {
      const a = list.find((x) => x.open && x.worker === worker);
      if (!a) return;
      this.closeAttempt(a);
      if (!this.answered.has(slot) && !list.some((x) => x.open)) out.push(...this.relocate(slot, now));
    });
    return [...out, ...this.stuck()];
  }

  /** Time passed: task deadlines, the round timeout, speculation. */
  tick(now: number): Instruction[] {
    this.lastNow = now;
    if (this.decided) return [];
    const out: Instruction[] = [];
    const deadline = this.setup.deadlineSeconds;
    if (deadline !== undefined) {
      this.attempts.forEach((list, slot) => {
        for (const a of list) {
          if (!a.open || now - a.sentAt < deadline * 1000) continue;
          // Alive but silent (a dropped result, a hang, a frozen worker): give the task up.
          this.closeAttempt(a);
          this.failedSlot(slot, a.worker);
          out.push({ type: 'cancel', slot, worker: a.worker });
          if (!this.answered.has(slot) && !list.some((x) => x.open)) out.push(...this.relocate(slot, now));
        }
      });
    }
    if (this.pastTimeout(now) && this.decoder.canDecodeEarly()) return [...out, ...this.finish(now)];
    return [...out, ...this.speculate(now), ...this.stuck()];
  }

  /** When the next tick is due (ms, the clock of the events), or undefined: no timer needed. */
  nextDeadline(): number | undefined {
    if (this.decided) return undefined;
    let next = Infinity;
    const deadline = this.setup.deadlineSeconds;
    if (deadline !== undefined) {
      while (this.sentHead < this.sent.length && !this.sent[this.sentHead]!.open) this.sentHead++;
      const oldest = this.sent[this.sentHead];
      if (oldest) next = oldest.sentAt + deadline * 1000;
    }
    const timeout = this.setup.timeoutSeconds;
    if (timeout !== undefined) {
      const t = this.setup.startedAt + timeout * 1000;
      if (t > this.lastNow) next = Math.min(next, t);
    }
    const threshold = this.speculationThreshold();
    if (threshold !== undefined) {
      this.attempts.forEach((list, slot) => {
        if (this.answered.has(slot) || list.some((a) => a.backup)) return;
        const first = list.find((a) => a.open);
        if (!first) return;
        const t = first.sentAt + threshold * 1000;
        if (t > this.lastNow) next = Math.min(next, t);
      });
    }
    return next === Infinity ? undefined : next;
  }

  decode(): Decoded {
    return this.decoder.decode();
  }

  /** The decoder's weighted sum, described (decode() is its value), when it is one. */
  weightedSum(): WeightedSum | undefined {
    return this.decoder.weightedSum?.();
  }

  /** Slots still out when the round decoded (its stragglers), charged to the worker running them then. */
  outstanding(): StragglerRecord[] {
    return this.cut;
  }

  private pastTimeout(now: number): boolean {
    const t = this.setup.timeoutSeconds;
    return t !== undefined && (now - this.setup.startedAt) / 1000 >= t;
  }

  private send(slot: number, worker: number, now: number, backup: boolean): Instruction {
    const place = !holdsAll(worker, this.setup.slotBlocks[slot]!, this.holders);
    const a = { worker, sentAt: now, backup, open: true };
    this.attempts[slot]!.push(a);
    this.sent.push(a);
    this.openOn.set(worker, (this.openOn.get(worker) ?? 0) + 1);
    if (place) for (const id of this.setup.slotBlocks[slot]!) this.holders.get(id)?.add(worker) ?? this.holders.set(id, new Set([worker]));
    return { type: 'send', slot, worker, backup, place };
  }

  private relocate(slot: number, now: number): Instruction[] {
    const failed = this.failedOn.get(slot);
    const candidates = [...this.live].filter((w) => !failed?.has(w));
    const worker = chooseHost({ candidates, blocks: this.setup.slotBlocks[slot]!, holders: this.holders, load: (w) => this.load(w) });
    if (worker === undefined) return [];
    this.hosts[slot] = worker;
    this.relocations++;
    return [this.send(slot, worker, now, false)];
  }

  private load(worker: number): number {
    let n = 0;
    for (const h of this.hosts) if (h === worker) n++;
    return n;
  }

  /** Nothing is out and the decoder is not satisfied: decode with what arrived, or fail. */
  private stuck(): Instruction[] {
    if (this.decided || this.attempts.some((l) => l.some((a) => a.open))) return [];
    if (this.decoder.canDecodeEarly()) return this.finish(this.lastNow);
    this.decided = true;
    const missing = this.hosts.map((_, s) => s).filter((s) => !this.answered.has(s));
    return [{ type: 'fail', reason: `no live worker left to run slot${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (live: ${[...this.live].join(', ') || 'none'})` }];
  }

  private close(slot: number, worker: number): void {
    const a = this.attempts[slot]?.find((x) => x.open && x.worker === worker);
    if (a) this.closeAttempt(a);
  }

  private closeAttempt(a: Attempt): void {
    a.open = false;
    this.openOn.set(a.worker, (this.openOn.get(a.worker) ?? 1) - 1);
  }

  private failedSlot(slot: number, worker: number): void {
    let s = this.failedOn.get(slot);
    if (!s) this.failedOn.set(slot, (s = new Set()));
    s.add(worker);
  }

  private finish(now: number): Instruction[] {
    this.decided = true;
    const out: Instruction[] = [];
    this.attempts.forEach((list, slot) => {
      let latest: Attempt | undefined;
      for (const a of list) {
        if (!a.open) continue;
        this.closeAttempt(a);
        out.push({ type: 'cancel', slot, worker: a.worker });
        if (!latest || a.sentAt >= latest.sentAt) latest = a;
      }
      if (latest && !this.answered.has(slot)) this.cut.push({ slot, worker: latest.worker, sentAt: latest.sentAt, cutAt: now });
    });
    out.push({ type: 'decode' });
    return out;
  }

  /** Speculation's latency threshold (seconds), once the round's quantile of slots has answered. */
  private speculationThreshold(): number | undefined {
    const spec = this.setup.speculation;
    if (!spec) return undefined;
    const needed = Math.ceil(spec.quantile * this.hosts.length);
    if (needed === 0 || this.arrivalTimes.length < needed) return undefined;
    return this.arrivalTimes[needed - 1]!.seconds * spec.multiplier;
  }

  /**
   * Speculative execution: once the round's `quantile` of slots has answered, a slot out longer
   * than multiplier × that quantile's time gets one backup on an idle live worker holding its blocks.
   */
  private speculate(now: number): Instruction[] {
    const threshold = this.speculationThreshold();
    if (threshold === undefined) return [];
    const out: Instruction[] = [];
    this.attempts.forEach((list, slot) => {
      if (this.answered.has(slot) || list.some((a) => a.backup)) return;
      const first = list.find((a) => a.open);
      if (!first || (now - first.sentAt) / 1000 < threshold) return;
      const idle = (this.setup.speculation!.backups[slot] ?? []).find(
        (w) => this.live.has(w) && !(this.openOn.get(w) ?? 0) && !list.some((a) => a.worker === w),
      );
      if (idle === undefined) return;
      this.backupsLaunched++;
      out.push(this.send(slot, idle, now, true));
    });
    return out;
  }
}
