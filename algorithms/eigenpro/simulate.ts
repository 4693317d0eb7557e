import { buildSliceState, eigenproStep, lambdaNext, sampleBatch, sliceStep, stalenessStep, type KernelFn, type SliceState } from '../../shared/kernels';
import { Rng } from '../../shared/random';
import type { Matrix } from '../../shared/tensor';
import { sliceStarts } from './problem';

/**
 * In-process EigenPro (no network): the same slice code the workers run, driven in one thread.
 * Tests use it to check the mathematics against a direct solve and to show how staleness
 * interacts with the step, without timing noise.
 */
export interface SimOptions {
  workers: number;
  kernel: KernelFn;
  nystrom: number;
  q: number;
  batch: number;
  epochs: number;
  seed: number;
  /** Step override; default automatic. */
  step?: number;
}

export function buildStates(X: Matrix, y: Float64Array, o: SimOptions): SliceState[] {
  const starts = sliceStarts(X.rows, o.workers);
  return starts.slice(0, -1).map((s, r) => buildSliceState(X, y, s, starts[r + 1]!, o.kernel, o.nystrom, o.q, o.seed * 1000 + r));
}

/** Synchronous EigenPro (section 2.2): each round every worker steps on m of its points at the same α. */
export function simulateSync(X: Matrix, y: Float64Array, o: SimOptions, states = buildStates(X, y, o)): Float64Array {
  const n = X.rows;
  const total = o.batch * o.workers;
  const lam = Math.max(...states.map(lambdaNext));
  const beta = Math.max(...states.map((s) => s.beta));
  const step = o.step ?? eigenproStep(total, beta, lam);
  const alpha = new Float64Array(n);
  const rngs = states.map((_, r) => new Rng(o.seed * 7 + r));
  const rounds = Math.ceil((o.epochs * n) / total);
  for (let t = 0; t < rounds; t++) {
    const deltas = states.map((st, r) => sliceStep(st, alpha, sampleBatch(rngs[r]!, st.start, st.end, o.batch), step, 1 / total).delta);
    states.forEach((st, r) => {
      const d = deltas[r]!;
      for (let i = 0; i < d.length; i++) alpha[st.start + i]! += d[i]!;
    });
  }
  return alpha;
}

/**
 * AsyncEigenPro with equal-speed workers taking turns: worker r's update is computed on the α it
 * read right after its previous write, so every write is τ = G − 1 updates stale (the no-delay
 * pattern measured on the cluster). `tau` picks the step: the staleness rule at that τ, or 0 for
 * the paper's step.
 */
export function simulateAsyncRoundRobin(X: Matrix, y: Float64Array, o: SimOptions & { stepTau: number }, states = buildStates(X, y, o)): Float64Array {
  const n = X.rows;
  const alpha = new Float64Array(n);
  const rngs = states.map((_, r) => new Rng(o.seed * 7 + r));
  const reads = states.map(() => new Float64Array(n));
  const steps = states.map((st) => o.step ?? stalenessStep(o.batch, o.stepTau, st.beta, lambdaNext(st)));
  const updates = Math.ceil((o.epochs * n) / o.batch);
  for (let t = 0; t < updates; t++) {
    const r = t % o.workers;
    const st = states[r]!;
    const d = sliceStep(st, reads[r]!, sampleBatch(rngs[r]!, st.start, st.end, o.batch), steps[r]!, 1 / o.batch).delta;
    for (let i = 0; i < d.length; i++) alpha[st.start + i]! += d[i]!;
    reads[r]!.set(alpha);
  }
  return alpha;
}
