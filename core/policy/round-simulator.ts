import type { Rng } from '../../shared/random';
import type { Plan } from '../schemes';
import type { Execution } from '../runtime';

/**
 * One round of a real plan on simulated workers: the plan's own decoder says when the round has
 * heard enough, fed the slots in the order the delay model makes them arrive. Pure: times are
 * numbers, nothing sleeps.
 *
 * The delay model is issue 14's: each worker draws one slowdown s (seconds per unit of work) per
 * round; its tasks run one after another in the order they were sent, each taking s × its work
 * (`sequential`); or, under `chaos.delay.per: task`, each task draws its own and they run side by
 * side (`parallel`). Sends go out in slot order, or in a fresh random order when the plan asks
 * (`shuffleSends`, the first-q plans).
 *
 * Speculation follows the round state machine (core/round/round-state.ts): once
 * ⌈quantile·slots⌉ slots have answered, a slot out longer than multiplier × that arrival time
 * gets one backup, on the first of its backup hosts that has nothing open; the first answer of a
 * slot wins and its other copies are cancelled, which frees their workers. A round timeout
 * decodes early when the decoder allows. An answer reaches the master `network` seconds after its
 * task ends on the worker (a draw per task: the measured overhead of answers, which on workers
 * sharing cores is most of a fast round and grows with the answers a round waits for); the worker
 * starts its next task when the last one ends, not when its answer arrives. Without `network`
 * answers arrive as their tasks end (the predictor then adds a measured per-round overhead).
 */
export interface SimulatedPlan {
  readonly plan: Plan;
  /** Work of each slot (units of one uncoded block at K = N). */
  readonly work: Float64Array;
  /** Logical workers the plan spreads over (hosts are 0..workers-1). */
  readonly workers: number;
  /**
   * A value of the right length for each slot, fed to the decoder (decoders check lengths): a
   * product's answer has its block's rows, a gradient's the same length on every slot.
   */
  readonly values: Float64Array[];
}

export function simulatedPlan(plan: Plan, work: Float64Array, workers: number, blockRows: readonly number[]): SimulatedPlan {
  if (work.length !== plan.slots.length) throw new RangeError(`simulated plan: ${work.length} work entries for ${plan.slots.length} slots`);
  for (const s of plan.slots) if (s.host < 0 || s.host >= workers) throw new RangeError(`simulated plan: host ${s.host} outside 0..${workers - 1}`);
  const byLength = new Map<number, Float64Array>();
  const products = plan.taskKinds?.includes('matvec') ?? false;
  const values = plan.slots.map((slot) => {
    const len = products ? blockRows[plan.stored[slot.blocks[0]!.stored]!.terms[0]!.block]! : 1;
    let v = byLength.get(len);
    if (!v) byLength.set(len, (v = new Float64Array(len)));
    return v;
  });
  return { plan, work, workers, values };
}

interface Task {
  slot: number;
  worker: number;
  work: number;
  sentAt: number;
  /** Parallel execution: this task's own slowdown. */
  draw: number;
  /** Seconds from the task's end on its worker to its answer at the master. */
  net: number;
  open: boolean;
}

export interface RoundDraws {
  execution: Execution;
  /** Sequential: each logical worker's slowdown this round. */
  slowdown: Float64Array;
  /** Parallel: a fresh slowdown for a task on this logical worker. */
  taskDraw?: (worker: number) => number;
  /** Orders the sends of plans that shuffle them (used only by those). */
  rng: Rng;
  /** An answer's seconds from its task's end to the master (a fresh draw per task); absent: none. */
  network?: () => number;
}

/** Seconds from the round's start until the decoder has enough (Infinity if it never will). */
export function simulateRound(sp: SimulatedPlan, draws: RoundDraws): number {
  const { plan, work } = sp;
  const n = plan.slots.length;
  const sequential = draws.execution === 'sequential';
  const drawFor = (w: number): number => {
    if (sequential) return 0;
    if (!draws.taskDraw) throw new Error('simulateRound: parallel execution needs a taskDraw');
    return draws.taskDraw(w);
  };
  const queues: Task[][] = Array.from({ length: sp.workers }, () => []);
  const headStart = new Float64Array(sp.workers);
  const copies: Task[][] = Array.from({ length: n }, () => []);
  const order = plan.shuffleSends ? draws.rng.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
  for (const s of order) {
    const w = plan.slots[s]!.host;
    const t: Task = { slot: s, worker: w, work: work[s]!, sentAt: 0, draw: drawFor(w), net: draws.network?.() ?? 0, open: true };
    queues[w]!.push(t);
    copies[s]!.push(t);
  }
  /** Tasks ended on their worker whose answers are on the way, soonest first. */
  const inFlight: { t: Task; at: number }[] = [];
  const finishOf = (t: Task): number => (sequential ? headStart[t.worker]! + draws.slowdown[t.worker]! * t.work : t.sentAt + t.draw * t.work);
  const decoder = plan.decoder();
  const spec = plan.speculation;
  const needed = spec ? Math.ceil(spec.quantile * n) : 0;
  const timeout = plan.roundTimeout ?? Infinity;
  const hasBackup = new Uint8Array(n);
  const answered = new Uint8Array(n);
  let arrivals = 0;
  let threshold = Infinity;
  let specPending = false;
  let now = 0;

  const drop = (t: Task, at: number): void => {
    t.open = false;
    const q = queues[t.worker]!;
    const i = q.indexOf(t);
    if (i < 0) return;
    q.splice(i, 1);
    if (i === 0) headStart[t.worker] = at;
  };
  const launchBackups = (at: number): void => {
    for (let s = 0; s < n; s++) {
      if (answered[s] || hasBackup[s]) continue;
      const idle = (spec!.backups[s] ?? []).find((w) => queues[w]!.length === 0 && !copies[s]!.some((c) => c.worker === w));
      if (idle === undefined) continue;
      const t: Task = { slot: s, worker: idle, work: work[s]!, sentAt: at, draw: drawFor(idle), net: draws.network?.() ?? 0, open: true };
      queues[idle]!.push(t);
      headStart[idle] = at;
      copies[s]!.push(t);
      hasBackup[s] = 1;
    }
  };

  for (;;) {
    let next: Task | undefined;
    let tNext = Infinity;
    for (const q of queues) {
      if (sequential) {
        const head = q[0];
        if (head) {
          const f = finishOf(head);
          if (f < tNext) {
            tNext = f;
            next = head;
          }
        }
      } else {
        for (const t of q) {
          const f = finishOf(t);
          if (f < tNext) {
            tNext = f;
            next = t;
          }
        }
      }
    }
    const tArrive = inFlight.length > 0 ? inFlight[0]!.at : Infinity;
    const tSpec = specPending && threshold < Infinity ? Math.max(now, threshold) : Infinity;
    const tEvent = Math.min(tNext, tArrive, tSpec);
    if (timeout <= tEvent && decoder.canDecodeEarly()) return Math.max(timeout, now);
    if (tSpec <= tNext && tSpec <= tArrive && tSpec < Infinity) {
      now = tSpec;
      launchBackups(now);
      // Who is idle changes only when a task ends: look again at the next answer.
      specPending = false;
      continue;
    }
    if (tEvent === Infinity) return Infinity;
    let arrived: Task;
    if (tNext <= tArrive) {
      // A task ends on its worker: the worker moves on; its answer is on the way.
      now = tNext;
      drop(next!, now);
      if (answered[next!.slot]) continue;
      if (next!.net > 0) {
        const at = now + next!.net;
        let i = inFlight.length;
        while (i > 0 && inFlight[i - 1]!.at > at) i--;
        inFlight.splice(i, 0, { t: next!, at });
        continue;
      }
      arrived = next!;
    } else {
      now = tArrive;
      arrived = inFlight.shift()!.t;
      if (answered[arrived.slot]) continue;
    }
    answered[arrived.slot] = 1;
    arrivals++;
    for (const c of copies[arrived.slot]!) if (c.open) drop(c, now);
    if (spec && arrivals === needed) threshold = now * spec.multiplier;
    if (decoder.add(arrived.slot, sp.values[arrived.slot]!)) return now;
    specPending = spec !== undefined;
  }
}
