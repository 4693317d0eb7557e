import type { Matrix } from '../../shared/tensor';
import { blocksPerWorker } from '../../core/schemes/placement';
import type { BlockData, PlaceOptions, PlacedPlan, RoundOutcome, TaskPayload } from '../compute-cluster';
import { SumDecoder, type Plan } from '../../core/schemes';
import { roundOverhead, timingsFromRound } from '../../core/runtime';
import { BlockCatalog, plainRows } from '../../core/policy/block-catalog';
import { blockStartsFor, planCandidate, type PlanInputs } from '../../core/policy/candidates';
import { placementDiff, type PlacedLayout } from '../../core/policy/placement-diff';
import type { Placement } from '../../core/policy/predictor';

/**
 * Carries the adaptive policy's placements out on a job's workers: the first placement, each
 * re-plan (only the blocks the new plan does not find where it needs them are streamed, the
 * ones no longer needed are dropped; blocks the plans share keep their id, so workers keep
 * them), and the probes of left-out workers. Talks to the cluster through the session's
 * interface only.
 */
export interface ReplanCluster {
  liveWorkers(): number[];
  place(jobId: string, plan: Plan, data: BlockData, options?: PlaceOptions): Promise<PlacedPlan>;
  dropBlocks(placed: PlacedPlan, worker: number, ids: readonly number[]): Promise<void>;
  /** Forget a placed plan without dropping its blocks. */
  retire(placed: PlacedPlan): void;
  /** A round the job does not count (a probe). */
  uncountedRound(placed: PlacedPlan, payload: TaskPayload): Promise<RoundOutcome>;
}

export interface ReplannerJob {
  jobId: string;
  /** The data the blocks are cut from (rows of A, b carried with them). */
  A: Matrix;
  b?: Float64Array;
  seed: number;
  taskDeadlineSeconds?: number;
}

/** A placement in force: the decision's placement, its plan (physical hosts), and where its blocks went. */
export interface PlacementInForce {
  placement: Placement;
  /** The plan as made, for logical workers 0..n−1 (what placementDiff compares). */
  logical: Plan;
  placed: PlacedPlan;
  blockStarts: number[];
}

export interface ReplanOutcome {
  bytesPlaced: number;
  /** Rows placementDiff says must move (the bytes are these rows × (columns + 1) × 8 with b). */
  rowsToSend: number;
  blocksDropped: number;
  seconds: number;
}

/** Seconds a calibration round waits for its answers at most (a quiet one takes a few milliseconds). */
export const CALIBRATION_ROUND_TIMEOUT = 0.1;

/** What a calibration measured (Replanner.calibrate). */
export interface CalibrationOutcome {
  /** Seconds each answer took beyond its worker's own time, over the rounds kept. */
  overheads: number[];
  rounds: number;
  /** Rounds whose answers were kept (a warm-up round is not). */
  roundsKept: number;
  bytesPlaced: number;
  /** Wall seconds of the whole calibration (placing the row, its rounds). */
  seconds: number;
}

export class Replanner {
  private readonly catalog = new BlockCatalog();
  /** Block id -> workers holding it now (every placement of the job, relocations included). */
  private readonly inventory = new Map<number, Set<number>>();
  private current: PlacementInForce | undefined;
  /** A left-out worker's probe: a one-slot plan over a plain block it holds (or is sent once). */
  private readonly probes = new Map<number, PlacedPlan>();

  constructor(
    private readonly cluster: ReplanCluster,
    private readonly job: ReplannerJob,
  ) {}

  get inForce(): PlacementInForce {
    if (!this.current) throw new Error('replanner: nothing placed yet');
    return this.current;
  }

  /** Puts `p` in force: the first placement, or a re-plan from the one in force. */
  async apply(p: Placement): Promise<ReplanOutcome> {
    const t0 = performance.now();
    const prev = this.current;
    if (prev) this.syncInventory(prev.placed);
    // The data goes to every plan; only those that need it (leverage scores) read it.
    const inputs: PlanInputs = { workers: p.workers.length, rows: this.job.A.rows, seed: this.job.seed, data: { rows: this.job.A.rows, cols: this.job.A.cols, A: this.job.A.data } };
    const logical = planCandidate(p.candidate, inputs);
    const blockStarts = blockStartsFor(p.candidate, this.job.A.rows);
    const diff = placementDiff(prev ? layoutOf(prev) : undefined, { plan: logical, workers: p.workers, blockStarts });
    const ids = this.catalog.idsFor(logical, blockStarts);
    const held = new Map<number, Set<number>>();
    ids.forEach((id, s) => {
      const ws = this.inventory.get(id);
      if (ws && ws.size > 0) held.set(s, new Set(ws));
    });
    const placed = await this.cluster.place(this.job.jobId, logical, this.data(blockStarts), {
      workers: p.workers,
      blockIds: ids,
      held,
      ...(this.job.taskDeadlineSeconds !== undefined ? { taskDeadlineSeconds: this.job.taskDeadlineSeconds } : {}),
    });
    this.syncInventory(placed);
    // Drop what no one needs now: not the new plan's blocks, not a left-out worker's probe block.
    const need = new Map<number, Set<number>>();
    for (const [w, stored] of blocksPerWorker(placed.plan, placed.hosts)) need.set(w, new Set([...stored].map((s) => ids[s]!)));
    const excluded = new Set(this.cluster.liveWorkers().filter((w) => !p.workers.includes(w)));
    for (const w of [...this.probes.keys()]) {
      if (!excluded.has(w)) {
        this.cluster.retire(this.probes.get(w)!);
        this.probes.delete(w);
      }
    }
    const keep = this.probeBlocks(excluded);
    let dropped = 0;
    const drops: Promise<void>[] = [];
    const dropsOn = new Map<number, number[]>();
    for (const [id, workers] of this.inventory) {
      for (const w of workers) {
        if (need.get(w)?.has(id) || keep.get(w) === id) continue;
        const l = dropsOn.get(w) ?? [];
        l.push(id);
        dropsOn.set(w, l);
      }
    }
    for (const [w, list] of dropsOn) {
      for (const id of list) this.inventory.get(id)!.delete(w);
      dropped += list.length;
      drops.push(this.cluster.dropBlocks(placed, w, list));
    }
    await Promise.all(drops);
    if (prev) this.cluster.retire(prev.placed);
    this.current = { placement: { candidate: p.candidate, workers: [...p.workers] }, logical, placed, blockStarts };
    return { bytesPlaced: placed.bytesPlaced, rowsToSend: diff.rowsToSend, blocksDropped: dropped, seconds: (performance.now() - t0) / 1000 };
  }

  /**
   * Measures the answers' overheads before anything is placed: every live worker gets a one-row
   * block (the same row on each), and `rounds` rounds of the job's task over it are timed, each
   * waiting for every answer. A one-row task carries about 1/(rows/N) of a unit of work, so an
   * injected delay adds next to nothing, and what an answer takes beyond its worker's own time is
   * the network and the event loops, as in the job's rounds (on workers sharing cores, most of a
   * fast round). Every round's answers are kept but those of a warm-up round (its median over
   * twice the last round's: on a fresh cluster the first pays for connections, threads and
   * compiled code); more answers make the decision less hostage to one burst of load. The block stays on the workers until the job releases its blocks (it is not in the
   * inventory: no plan or probe uses it).
   */
  async calibrate(rounds: number, payload: TaskPayload): Promise<CalibrationOutcome> {
    const t0 = performance.now();
    const workers = this.cluster.liveWorkers();
    const n = workers.length;
    const plan: Plan = {
      scheme: 'calibration',
      stored: [{ terms: [{ block: 0, coef: 1 }] }],
      slots: workers.map((_, host) => ({ host, blocks: [{ stored: 0, weight: 1 }] })),
      decoder: () => new SumDecoder((arrived) => arrived.size === n, (arrived) => new Map([...arrived.keys()].map((s) => [s, 1 / n])), true, true),
      // A worker descheduled on a loaded machine must not hold the job's start: past the timeout
      // the round ends with the answers it has (the missing ones are cut off, not measured).
      roundTimeout: CALIBRATION_ROUND_TIMEOUT,
      describe: () => ({ calibration: n }),
    };
    const blockStarts = [0, Math.min(1, this.job.A.rows)];
    const placed = await this.cluster.place(this.job.jobId, plan, this.data(blockStarts), { workers, blockIds: this.catalog.idsFor(plan, blockStarts) });
    const perRound: number[][] = [];
    try {
      for (let r = 0; r < rounds; r++) {
        const outcome = await this.cluster.uncountedRound(placed, payload);
        perRound.push(
          timingsFromRound(outcome, outcome.work ?? placed.work, placed.hosts)
            .filter((t) => !t.censored && t.overheadSeconds !== undefined)
            .map((t) => t.overheadSeconds!),
        );
      }
    } finally {
      this.cluster.retire(placed);
    }
    const last = perRound[perRound.length - 1] ?? [];
    const cap = last.length > 0 ? 2 * roundOverhead(last) : Infinity;
    const kept = perRound.filter((xs) => xs.length > 0 && roundOverhead(xs) <= cap);
    return { overheads: kept.flat(), rounds, roundsKept: kept.length, bytesPlaced: placed.bytesPlaced, seconds: (performance.now() - t0) / 1000 };
  }

  /**
   * Sends one timed task to a left-out worker (its result unused): a plain block it still holds
   * from before (or one unit of rows, placed once), over the current iterate.
   */
  async probe(worker: number, payload: TaskPayload): Promise<{ outcome: RoundOutcome; placed: PlacedPlan; bytesPlaced: number }> {
    let placed = this.probes.get(worker);
    let bytesPlaced = 0;
    if (!placed) {
      placed = await this.placeProbe(worker);
      bytesPlaced = placed.bytesPlaced;
      this.probes.set(worker, placed);
    }
    return { outcome: await this.cluster.uncountedRound(placed, payload), placed, bytesPlaced };
  }

  private async placeProbe(worker: number): Promise<PlacedPlan> {
    // The plain block the worker holds whose size is nearest one unit of work; else one unit of rows.
    const unit = this.job.A.rows / this.cluster.liveWorkers().length;
    let rows: { start: number; end: number } | undefined;
    for (const [id, workers] of this.inventory) {
      if (!workers.has(worker)) continue;
      const r = plainRows(this.catalog.keyOf(id)!);
      if (r && (!rows || Math.abs(r.end - r.start - unit) < Math.abs(rows.end - rows.start - unit))) rows = r;
    }
    if (!rows) {
      // One unit of rows cut afresh: a block of the plan in force may be the whole data (a plan of
      // one block), and a probe over it would keep a slow worker busy for its whole slowdown × N.
      const size = Math.max(1, Math.round(unit));
      const rowsOf = this.job.A.rows;
      const start = Math.min(rowsOf - size, (worker % Math.max(1, Math.floor(rowsOf / size))) * size);
      rows = { start: Math.max(0, start), end: Math.max(0, start) + Math.min(size, rowsOf) };
    }
    const plan: Plan = {
      scheme: 'probe',
      stored: [{ terms: [{ block: 0, coef: 1 }] }],
      slots: [{ host: 0, blocks: [{ stored: 0, weight: 1 }] }],
      decoder: () => new SumDecoder((arrived) => arrived.size === 1, () => new Map([[0, 1]]), true),
      describe: () => ({ probe: worker }),
    };
    const blockStarts = [rows.start, rows.end];
    const ids = this.catalog.idsFor(plan, blockStarts);
    const held = this.inventory.get(ids[0]!)?.has(worker) ? new Map([[0, new Set([worker])]]) : new Map<number, Set<number>>();
    const placed = await this.cluster.place(this.job.jobId, plan, this.data(blockStarts), { workers: [worker], blockIds: ids, held });
    this.syncInventory(placed);
    return placed;
  }

  /** The block each left-out worker keeps for its probes: its probe's, or the plain block it holds with the lowest id. */
  private probeBlocks(excluded: ReadonlySet<number>): Map<number, number> {
    const keep = new Map<number, number>();
    for (const w of excluded) {
      const probe = this.probes.get(w);
      if (probe) keep.set(w, probe.blockIds[0]!);
    }
    for (const [id, workers] of this.inventory) {
      if (!plainRows(this.catalog.keyOf(id)!)) continue;
      for (const w of workers) if (excluded.has(w) && !this.probes.has(w) && id < (keep.get(w) ?? Infinity)) keep.set(w, id);
    }
    return keep;
  }

  private syncInventory(placed: PlacedPlan): void {
    const live = new Set(this.cluster.liveWorkers());
    for (const [s, workers] of placed.holders) {
      const id = placed.blockIds[s]!;
      let set = this.inventory.get(id);
      if (!set) this.inventory.set(id, (set = new Set()));
      for (const w of workers) set.add(w);
    }
    for (const set of this.inventory.values()) for (const w of [...set]) if (!live.has(w)) set.delete(w);
  }

  private data(blockStarts: number[]): BlockData {
    return { A: this.job.A, ...(this.job.b ? { b: this.job.b } : {}), blockStarts };
  }
}

function layoutOf(p: PlacementInForce): PlacedLayout {
  return { plan: p.logical, workers: p.placement.workers, blockStarts: p.blockStarts };
}
