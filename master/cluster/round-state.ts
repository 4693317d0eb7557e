import type { Decoded, RoundDecoder } from '../schemes';

/**
 * One round as a pure state machine (Dask's worker_state_machine habit): events in, instructions
 * out, no sockets and no clock (times are passed in). The dispatcher is a thin shell that turns
 * instructions into gRPC calls.
 */
export type Instruction =
  | { type: 'send'; slot: number; worker: number; backup: boolean }
  | { type: 'cancel'; slot: number; worker: number }
  /** The slot's host is gone: move the slot to a live worker, then send it there. */
  | { type: 'relocate'; slot: number; from: number }
  | { type: 'decode' };

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

export class RoundState {
  private readonly attempts = new Map<number, Attempt[]>();
  private readonly answered = new Set<number>();
  /** Seconds from round start to each slot's first answer, in arrival order. */
  readonly arrivalTimes: { slot: number; worker: number; seconds: number }[] = [];
  private decided = false;
  private readonly busy = new Set<number>();
  backupsLaunched = 0;
  /** Copies cancelled because another copy of their slot answered first. */
  readonly losers: { slot: number; worker: number; sentAt: number; cutAt: number }[] = [];

  constructor(
    private readonly hosts: readonly number[],
    private readonly decoder: RoundDecoder,
    private readonly startedAt: number,
    private readonly speculation?: SpeculationPolicy,
    private readonly timeoutSeconds?: number,
  ) {}

  get done(): boolean {
    return this.decided;
  }

  start(): Instruction[] {
    return this.hosts.map((worker, slot) => {
      this.record(slot, worker, this.startedAt, false);
      return { type: 'send', slot, worker, backup: false } as const;
    });
  }

  private record(slot: number, worker: number, now: number, backup: boolean): void {
    const list = this.attempts.get(slot) ?? [];
    list.push({ worker, sentAt: now, backup, open: true });
    this.attempts.set(slot, list);
    this.busy.add(worker);
  }

  /** The dispatcher sent a slot to a (new) worker after a relocation. */
  resent(slot: number, worker: number, now: number): void {
    if (!this.decided) this.record(slot, worker, now, false);
  }

  arrived(slot: number, worker: number, value: Float64Array, now: number): Instruction[] {
    const list = this.attempts.get(slot) ?? [];
    const att = list.find((a) => a.worker === worker && a.open);
    if (att) att.open = false;
    this.refreshBusy(worker);
    if (this.decided || this.answered.has(slot)) return [];
    this.answered.add(slot);
    this.arrivalTimes.push({ slot, worker, seconds: (now - this.startedAt) / 1000 });
    const out: Instruction[] = [];
    // The first answer for a slot wins; cancel its other copies (stragglers too: a speculative
    // backup beat them).
    for (const a of list) {
      if (a.open) {
        a.open = false;
        out.push({ type: 'cancel', slot, worker: a.worker });
        this.losers.push({ slot, worker: a.worker, sentAt: a.sentAt, cutAt: now });
        this.refreshBusy(a.worker);
      }
    }
    if (this.decoder.add(slot, value)) return [...out, ...this.finish()];
    return [...out, ...this.speculate(now)];
  }

  /** A task failed (its worker is gone or timed out): relocate the slot unless another copy is still out. */
  failed(slot: number, worker: number): Instruction[] {
    const list = this.attempts.get(slot) ?? [];
    const att = list.find((a) => a.worker === worker && a.open);
    if (att) att.open = false;
    this.refreshBusy(worker);
    if (this.decided || this.answered.has(slot)) return [];
    if (list.some((a) => a.open)) return [];
    return [{ type: 'relocate', slot, from: worker }];
  }

  /** Periodic check: speculation and the round timeout. */
  tick(now: number): Instruction[] {
    if (this.decided) return [];
    if (this.timeoutSeconds !== undefined && (now - this.startedAt) / 1000 >= this.timeoutSeconds && this.decoder.canDecodeEarly()) {
      return this.finish();
    }
    return this.speculate(now);
  }

  private finish(): Instruction[] {
    this.decided = true;
    const out: Instruction[] = [];
    for (const [slot, list] of this.attempts) {
      for (const a of list) {
        if (a.open) {
          a.open = false;
          out.push({ type: 'cancel', slot, worker: a.worker });
        }
      }
    }
    out.push({ type: 'decode' });
    return out;
  }

  decode(): Decoded {
    return this.decoder.decode();
  }

  /** Slots still out when the round decoded (its stragglers), with their workers and send times. */
  outstanding(): { slot: number; worker: number; sentAt: number }[] {
    const out: { slot: number; worker: number; sentAt: number }[] = [];
    for (const [slot, list] of this.attempts) {
      if (this.answered.has(slot)) continue;
      const first = list[0];
      if (first) out.push({ slot, worker: first.worker, sentAt: first.sentAt });
    }
    return out;
  }

  private refreshBusy(worker: number): void {
    for (const list of this.attempts.values()) if (list.some((a) => a.worker === worker && a.open)) return;
    this.busy.delete(worker);
  }

  /**
   * Speculative execution: once the round's `quantile` of slots has answered, a slot out longer
   * than multiplier × that quantile's time gets one backup on an idle worker holding its blocks.
   */
  private speculate(now: number): Instruction[] {
    const spec = this.speculation;
    if (!spec) return [];
    const n = this.hosts.length;
    const needed = Math.ceil(spec.quantile * n);
    if (this.arrivalTimes.length < needed || needed === 0) return [];
    const sorted = this.arrivalTimes.map((a) => a.seconds).sort((a, b) => a - b);
    const threshold = sorted[needed - 1]! * spec.multiplier;
    const out: Instruction[] = [];
    for (let slot = 0; slot < n; slot++) {
      if (this.answered.has(slot)) continue;
      const list = this.attempts.get(slot) ?? [];
      if (list.some((a) => a.backup)) continue;
      const first = list[0];
      if (!first || (now - first.sentAt) / 1000 < threshold) continue;
      const idle = (spec.backups[slot] ?? []).find((w) => !this.busy.has(w) && !list.some((a) => a.worker === w));
      if (idle === undefined) continue;
      this.record(slot, idle, now, true);
      this.backupsLaunched++;
      out.push({ type: 'send', slot, worker: idle, backup: true });
    }
    return out;
  }

  /** Seconds until the next speculation or timeout check is worth making (undefined: none needed). */
  nextCheckSeconds(): number | undefined {
    if (this.decided) return undefined;
    if (this.speculation || this.timeoutSeconds !== undefined) return 0.002;
    return undefined;
  }
}
