import { materializeStoredBlocks } from '../../../core/schemes/placement';
import type { BlockData, ComputeCluster, MasterArrays, PlacedPlan, RoundOutcome, TaskPayload } from '../../../algorithms/compute-cluster';
import type { Plan } from '../../../core/schemes';
import { Rng } from '../../../shared/random';
import { float64ToBytes } from '../../../shared/tensor';
import type { pb } from '../../../shared/wire';
import { jsKernels } from '../../../shared/kernels';
import { inlineLinalg, jsLinalg, type AsyncLinalg } from '../../../shared/linalg';
import { inlineMasterCompute } from '../../../master/compute';
import { kindHandler } from '../../../worker/task-kinds';
import type { StoredBlock } from '../../../worker/block-store';
import { allocate, defaultTaskBudget } from '../../../worker/task-budget';

const BUDGET = defaultTaskBudget();

/**
 * A ComputeCluster in this process for unit tests: the workers' own task handlers on the plan's
 * materialized blocks, no network. Each round the slots "arrive" in a seeded random order (or
 * the order `arrival` gives), and the decoder stops the round as the dispatcher would: whatever
 * had not arrived by then is a straggler. So decoders and solvers meet straggler patterns.
 */
export class InProcessCluster implements ComputeCluster {
  private readonly stores = new Map<string, Map<number, StoredBlock>>();
  private readonly rng: Rng;
  rounds = 0;
  stragglers = 0;

  constructor(
    private readonly workers: number,
    seed = 1,
    private readonly arrival?: (slots: number, round: number) => number[],
  ) {
    this.rng = new Rng(seed);
  }

  liveWorkers(): number[] {
    return Array.from({ length: this.workers }, (_, i) => i);
  }

  /** The master's linear algebra, inline on the js backend (no thread in a unit test). */
  async linalg(): Promise<AsyncLinalg> {
    return inlineLinalg(jsLinalg);
  }

  /** The master's array work, inline too (the compute thread's answers are the same bits: master-compute tests). */
  async arrays(): Promise<MasterArrays> {
    return inlineMasterCompute(jsLinalg);
  }

  async place(jobId: string, plan: Plan, data: BlockData): Promise<PlacedPlan> {
    const blocks = materializeStoredBlocks(plan, data);
    this.stores.set(jobId, new Map(blocks.map((b) => [b.id, { A: { rows: b.rows, cols: b.cols, data: b.data }, ...(b.rhs ? { rhs: b.rhs } : {}), rowOffset: b.rowOffset }])));
    const holders = new Map<number, Set<number>>();
    for (const s of plan.slots) for (const b of s.blocks) (holders.get(b.stored) ?? holders.set(b.stored, new Set()).get(b.stored)!).add(s.host);
    return { jobId, plan, hosts: plan.slots.map((s) => s.host), bytesPlaced: 0, work: plan.slots.map(() => 1), blockIds: plan.stored.map((_, i) => i), holders };
  }

  async round(placed: PlacedPlan, payload: TaskPayload | ((slot: number) => TaskPayload)): Promise<RoundOutcome> {
    const store = this.stores.get(placed.jobId)!;
    const payloadOf = typeof payload === 'function' ? payload : () => payload;
    const n = placed.plan.slots.length;
    const order = this.arrival?.(n, this.rounds) ?? Array.from(this.rng.permutation(n));
    this.rounds++;
    const decoder = placed.plan.decoder();
    const arrived: number[] = [];
    for (const slot of order) {
      const req = toRequest(placed.jobId, slot, placed.plan, payloadOf(slot));
      const handler = kindHandler(req.kind!)!;
      const blocks = req.blocks.map((b) => ({ block: store.get(b.blockId)!, weight: b.weight, id: b.blockId }));
      arrived.push(slot);
      const answer = await handler({ request: req, blocks, kernels: jsKernels, allocate: (n, what, result) => allocate(BUDGET, n, what, result) });
      if (decoder.add(slot, answer.values)) break;
    }
    const stragglers = order.filter((s) => !arrived.includes(s)).map((slot) => ({ slot, worker: placed.hosts[slot]!, outstandingSeconds: 0 }));
    this.stragglers += stragglers.length;
    return { round: this.rounds, decoded: decoder.decode(), seconds: 0, arrivals: [], stragglers, backupsLaunched: 0, slotsMoved: 0, bytesSent: 0, bytesReceived: 0 };
  }

  async release(placed: PlacedPlan): Promise<void> {
    this.stores.delete(placed.jobId);
  }
}

function toRequest(jobId: string, slot: number, plan: Plan, p: TaskPayload): pb.TaskRequest__Output {
  const t = (v: Float64Array) => ({ shape: [v.length], data: float64ToBytes(v) });
  const base = { jobId, round: '0', slot, blocks: plan.slots[slot]!.blocks.map((b) => ({ blockId: b.stored, weight: b.weight })) };
  const kinds: Record<string, unknown> = {};
  switch (p.kind) {
    case 'matvec':
      Object.assign(kinds, { kind: 'matvec', matvec: { x: t(p.x) } });
      break;
    case 'gram':
      Object.assign(kinds, { kind: 'gram', gram: p.d ? { d: t(p.d) } : {} });
      break;
    case 'message':
      Object.assign(kinds, { kind: p.name, ...p.fields });
      break;
    default:
      throw new Error(`in-process cluster: payload ${p.kind} not supported`);
  }
  return { ...base, ...kinds } as unknown as pb.TaskRequest__Output;
}
