import { InputError } from '../errors';
import type { Matrix } from '../tensor';
import type { Kernels } from './backend';
import { backtrackingStep } from './steepest-descent';
import type { ColumnSolveOptions, ColumnSolverName, ColumnStats, SolvedColumns } from './linear-operator';

/**
 * The column solvers (./cg.ts, ./steepest-descent.ts) run on all of a worker's columns at once:
 * one iteration multiplies M by every active column's vector in one stacked product (a dgemm on
 * the native backend) instead of one matrix-vector product per column. Each column keeps its own
 * scalars and stops on its own test; the arithmetic per column is the single-column solver's,
 * step for step, so with the plain-loop kernels the result is bit for bit what
 * cgLeastSquares/sdLeastSquares return (the tests check that), and the native backend differs
 * only by the rounding of its products.
 *
 * Vectors are stored stacked, one row per active column, compacted as columns finish so the
 * active ones are always rows [0, active). `step()` runs one iteration of every active column, so
 * a caller can yield (heartbeats, cancellation) between iterations.
 *
 *   const s = new BlockColumnSolver(kernels, M, columns, 'cg', { tol, maxIterations });
 *   while (!s.done) s.step();
 *   const { values, stats } = s.result();
 */
export class BlockColumnSolver {
  private readonly n: number;
  private readonly m: number;
  private readonly K: number;
  private active: number;
  /** Slot s holds column columnOf[s] (an index into `columns`). */
  private readonly columnOf: Int32Array;
  private readonly X: Float64Array;
  private readonly R: Float64Array;
  /** CG: s = Mᵀr (half the gradient); SD: g = 2Mᵀr. */
  private readonly S: Float64Array;
  /** CG: the search direction p; SD: unused. */
  private readonly P: Float64Array;
  /** CG: q = Mp; SD: Mg. */
  private readonly Q: Float64Array;
  private readonly iterations: Float64Array;
  /** CG: γ = ‖s‖²; SD: the step t. */
  private readonly scalar: Float64Array;
  /** SD: ‖g‖ and ‖r‖ carried between iterations. */
  private readonly gnorm: Float64Array;
  private readonly rnorm: Float64Array;
  private readonly outLength: number;
  private readonly values: Float64Array;
  private readonly stats: (ColumnStats | undefined)[];

  constructor(
    private readonly kernels: Kernels,
    private readonly M: Matrix,
    private readonly columns: readonly number[],
    private readonly solver: ColumnSolverName,
    private readonly opts: ColumnSolveOptions,
    private readonly post?: Matrix,
  ) {
    if (solver !== 'cg' && solver !== 'sd') throw new InputError(`unknown column solver '${String(solver)}' (known: cg, sd)`);
    if (post && post.cols !== M.cols) throw new InputError(`post operator is ${post.rows}×${post.cols}, the solutions have ${M.cols} values`);
    for (const i of columns) if (!Number.isInteger(i) || i < 0 || i >= M.rows) throw new InputError(`column ${i} is outside 0..${M.rows - 1}`);
    this.n = M.cols;
    this.m = M.rows;
    const K = (this.K = columns.length);
    this.active = K;
    this.columnOf = Int32Array.from({ length: K }, (_, s) => s);
    this.X = new Float64Array(K * this.n);
    this.R = new Float64Array(K * this.m);
    this.S = new Float64Array(K * this.n);
    this.P = new Float64Array(solver === 'cg' ? K * this.n : 0);
    this.Q = new Float64Array(K * this.m);
    this.iterations = new Float64Array(K);
    this.scalar = new Float64Array(K);
    this.gnorm = new Float64Array(K);
    this.rnorm = new Float64Array(K);
    this.outLength = post ? post.rows : this.n;
    this.values = new Float64Array(K * this.outLength);
    this.stats = new Array<ColumnStats | undefined>(K);
    this.start();
  }

  get done(): boolean {
    return this.active === 0;
  }

  /** The solutions (post·x when a post operator was given), columns one after another, and their statistics. */
  result(): SolvedColumns {
    if (!this.done) throw new Error('BlockColumnSolver.result() before every column finished');
    return { values: this.values, outLength: this.outLength, stats: this.stats as ColumnStats[] };
  }

  /** One iteration of every active column. */
  step(): void {
    if (this.done) return;
    if (this.solver === 'cg') this.stepCg();
    else this.stepSd();
  }

  // ---- the two solvers ------------------------------------------------------------------------

  private start(): void {
    const all = this.slots(this.active);
    const [g, r] = this.residualAndGradient(all);
    const ending: number[] = [];
    for (const s of all) {
      if (this.solver === 'cg') {
        const sv = this.row(this.S, s, this.n);
        for (let j = 0; j < this.n; j++) sv[j]! *= 0.5;
        if (g[s]! <= this.opts.tol) {
          this.finish(s, g[s]!, r[s]!, true);
          continue;
        }
        this.row(this.P, s, this.n).set(sv);
        this.scalar[s] = sqnorm(sv);
      } else {
        this.gnorm[s] = g[s]!;
        this.rnorm[s] = r[s]!;
        this.scalar[s] = 1;
        if (!(g[s]! > this.opts.tol)) {
          ending.push(s);
          continue;
        }
      }
      if (this.opts.maxIterations <= 0) ending.push(s);
    }
    this.finishFromX(ending);
    this.compact();
  }

  /** cgLeastSquares' loop body (./cg.ts), for every active column. */
  private stepCg(): void {
    const { n, m } = this;
    const a = this.active;
    const half = this.opts.tol / 2;
    this.kernels.matVecStacked(this.M, this.P, a, this.Q);
    const stopped = new Set<number>();
    for (let s = 0; s < a; s++) {
      const q = this.row(this.Q, s, m);
      const delta = sqnorm(q);
      this.iterations[s]!++;
      if (!(delta > 0)) {
        stopped.add(s); // p in the null space of M: no progress is possible along it
        continue;
      }
      const alpha = this.scalar[s]! / delta;
      const x = this.row(this.X, s, n);
      const p = this.row(this.P, s, n);
      const r = this.row(this.R, s, m);
      for (let j = 0; j < n; j++) x[j]! -= alpha * p[j]!;
      for (let i = 0; i < m; i++) r[i]! -= alpha * q[i]!;
    }
    this.kernels.matTVecStacked(this.M, this.R, a, this.S);
    const confirm: number[] = [];
    for (let s = 0; s < a; s++) {
      if (stopped.has(s)) continue;
      const sv = this.row(this.S, s, n);
      const gammaNext = sqnorm(sv);
      if (Math.sqrt(gammaNext) <= half) {
        confirm.push(s);
        continue;
      }
      const beta = gammaNext / this.scalar[s]!;
      const p = this.row(this.P, s, n);
      for (let j = 0; j < n; j++) p[j] = sv[j]! + beta * p[j]!;
      this.scalar[s] = gammaNext;
    }
    // The recurrence says converged: confirm against the residual recomputed from x.
    const [g, r] = this.residualAndGradient(confirm);
    for (const s of confirm) {
      const sv = this.row(this.S, s, n);
      for (let j = 0; j < n; j++) sv[j]! *= 0.5;
      if (g[s]! <= this.opts.tol) {
        this.finish(s, g[s]!, r[s]!, true);
        continue;
      }
      // The recurrence had drifted: restart from the true gradient.
      this.row(this.P, s, n).set(sv);
      this.scalar[s] = sqnorm(sv);
    }
    for (let s = 0; s < a; s++) if (this.stats[this.columnOf[s]!] === undefined && !stopped.has(s) && this.iterations[s]! >= this.opts.maxIterations) stopped.add(s);
    this.finishFromX([...stopped]);
    this.compact();
  }

  /** sdLeastSquares's loop body (./steepest-descent.ts), for every active column. */
  private stepSd(): void {
    const { n, m } = this;
    const a = this.active;
    this.kernels.matVecStacked(this.M, this.S, a, this.Q);
    const stopped = new Set<number>();
    for (let s = 0; s < a; s++) {
      this.iterations[s]!++;
      const r = this.row(this.R, s, m);
      const Mg = this.row(this.Q, s, m);
      const gnorm = this.gnorm[s]!;
      const rnorm = this.rnorm[s]!;
      const fx = rnorm * rnorm;
      const gg = gnorm * gnorm;
      let rMg = 0;
      let MgMg = 0;
      for (let i = 0; i < m; i++) {
        rMg += r[i]! * Mg[i]!;
        MgMg += Mg[i]! * Mg[i]!;
      }
      const t = backtrackingStep(fx, gg, rMg, MgMg, this.scalar[s]!);
      if (t === undefined) {
        stopped.add(s); // t underflowed: no decrease is representable
        continue;
      }
      this.scalar[s] = t;
      const x = this.row(this.X, s, n);
      const g = this.row(this.S, s, n);
      for (let j = 0; j < n; j++) x[j]! -= t * g[j]!;
      for (let i = 0; i < m; i++) r[i]! -= t * Mg[i]!;
    }
    const moving = this.slots(a).filter((s) => !stopped.has(s));
    // All active columns share the iteration count (they started together), so they refresh together.
    if (a > 0 && this.iterations[0]! % 50 === 0) {
      const [g, r] = this.residualAndGradient(moving);
      for (const s of moving) {
        this.gnorm[s] = g[s]!;
        this.rnorm[s] = r[s]!;
      }
    } else {
      this.kernels.matTVecStacked(this.M, this.R, a, this.S);
      for (const s of moving) {
        const g = this.row(this.S, s, n);
        const r = this.row(this.R, s, m);
        let ss = 0;
        let rnorm = 0;
        for (let j = 0; j < n; j++) {
          g[j]! *= 2;
          ss += g[j]! * g[j]!;
        }
        for (let i = 0; i < m; i++) rnorm += r[i]! * r[i]!;
        this.gnorm[s] = Math.sqrt(ss);
        this.rnorm[s] = Math.sqrt(rnorm);
      }
    }
    for (const s of moving) if (!(this.gnorm[s]! > this.opts.tol) || this.iterations[s]! >= this.opts.maxIterations) stopped.add(s);
    this.finishFromX([...stopped]);
    this.compact();
  }

  // ---- shared pieces ----------------------------------------------------------------------------

  /**
   * lsResidualAndGradient (./linear-operator.ts) for the given slots: R = M X − Y, S = 2 Mᵀ R.
   * Returns ‖∇f‖ and ‖r‖ indexed by slot.
   */
  private residualAndGradient(slots: readonly number[]): [Float64Array, Float64Array] {
    const { n, m } = this;
    const gn = new Float64Array(this.K);
    const rn = new Float64Array(this.K);
    const k = slots.length;
    if (k === 0) return [gn, rn];
    const contiguous = slots.every((s, i) => s === i);
    const Xs = contiguous ? this.X : this.gather(this.X, slots, n);
    const Rs = contiguous ? this.R : new Float64Array(k * m);
    const Ss = contiguous ? this.S : new Float64Array(k * n);
    this.kernels.matVecStacked(this.M, Xs, k, Rs);
    slots.forEach((s, i) => {
      const r = Rs.subarray(i * m, (i + 1) * m);
      // y = e_col: subtracting the zeros elsewhere changes nothing, so only r[col] moves.
      r[this.columns[this.columnOf[s]!]!]! -= 1;
      let rr = 0;
      for (let t = 0; t < m; t++) rr += r[t]! * r[t]!;
      rn[s] = Math.sqrt(rr);
    });
    this.kernels.matTVecStacked(this.M, Rs, k, Ss);
    slots.forEach((s, i) => {
      const g = Ss.subarray(i * n, (i + 1) * n);
      let gg = 0;
      for (let j = 0; j < n; j++) {
        const v = 2 * g[j]!;
        g[j] = v;
        gg += v * v;
      }
      gn[s] = Math.sqrt(gg);
      if (!contiguous) {
        this.row(this.R, s, m).set(Rs.subarray(i * m, (i + 1) * m));
        this.row(this.S, s, n).set(g);
      }
    });
    return [gn, rn];
  }

  /** The solvers' exit: the residual and gradient recomputed from x decide `converged`. */
  private finishFromX(slots: number[]): void {
    const [g, r] = this.residualAndGradient(slots);
    for (const s of slots) this.finish(s, g[s]!, r[s]!, g[s]! <= this.opts.tol);
  }

  private finish(s: number, gradientNorm: number, residualNorm: number, converged: boolean): void {
    const col = this.columnOf[s]!;
    this.stats[col] = { iterations: this.iterations[s]!, gradientNorm, residualNorm, converged };
    const out = this.values.subarray(col * this.outLength, (col + 1) * this.outLength);
    const x = this.row(this.X, s, this.n);
    if (this.post) this.kernels.matVecStacked(this.post, x, 1, out);
    else out.set(x);
  }

  /** Moves the unfinished slots to the front, keeping their order. */
  private compact(): void {
    let w = 0;
    for (let s = 0; s < this.active; s++) {
      if (this.stats[this.columnOf[s]!] !== undefined) continue;
      if (w !== s) {
        this.moveRow(this.X, s, w, this.n);
        this.moveRow(this.R, s, w, this.m);
        this.moveRow(this.S, s, w, this.n);
        if (this.P.length) this.moveRow(this.P, s, w, this.n);
        this.moveRow(this.Q, s, w, this.m);
        this.columnOf[w] = this.columnOf[s]!;
        this.iterations[w] = this.iterations[s]!;
        this.scalar[w] = this.scalar[s]!;
        this.gnorm[w] = this.gnorm[s]!;
        this.rnorm[w] = this.rnorm[s]!;
      }
      w++;
    }
    this.active = w;
  }

  private row(A: Float64Array, s: number, len: number): Float64Array {
    return A.subarray(s * len, (s + 1) * len);
  }

  private moveRow(A: Float64Array, from: number, to: number, len: number): void {
    A.copyWithin(to * len, from * len, (from + 1) * len);
  }

  private gather(A: Float64Array, slots: readonly number[], len: number): Float64Array {
    const out = new Float64Array(slots.length * len);
    slots.forEach((s, i) => out.set(this.row(A, s, len), i * len));
    return out;
  }

  private slots(k: number): number[] {
    return Array.from({ length: k }, (_, s) => s);
  }
}

function sqnorm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return s;
}

/** Runs a BlockColumnSolver to the end (no yielding): for callers that are not event-loop bound. */
export function solveColumnsBlock(
  kernels: Kernels,
  M: Matrix,
  columns: readonly number[],
  solver: ColumnSolverName,
  opts: ColumnSolveOptions,
  post?: Matrix,
): SolvedColumns {
  const s = new BlockColumnSolver(kernels, M, columns, solver, opts, post);
  while (!s.done) s.step();
  return s.result();
}
