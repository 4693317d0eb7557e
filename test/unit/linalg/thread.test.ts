import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, InputError, NotPositiveDefiniteError, ShapeError, SingularMatrixError } from '../../../shared/errors';
import { inlineLinalg, linalgThread, selectLinalg, sharedMatrix, type AsyncLinalg, type Linalg, type LinalgThreadPool } from '../../../shared/linalg';
import type { Matrix } from '../../../shared/tensor';
import { staleDist } from '../../helpers/dist-fresh';
import { expectSameBits } from '../../helpers/same-bits';
import { backends, hilbert, randomMatrix, rankDeficient, Rng, spd } from './helpers';

/**
 * The compute threads run the compiled thread entry (dist/), like the cluster layer: a stale
 * build would test old code, so it fails at once instead.
 */
beforeAll(() => {
  const stale = staleDist();
  if (stale) throw new Error(stale);
});

/** One call of every operation, as [name, run on a Linalg or a pool]. */
function calls(rng: Rng): [string, (la: Linalg | AsyncLinalg) => unknown][] {
  const A = randomMatrix(60, 60, rng);
  const tall = randomMatrix(200, 30, rng);
  const S = spd(50, rng);
  const B = randomMatrix(60, 4, rng);
  const b = randomMatrix(200, 1, rng).data;
  const deficient = rankDeficient(80, 20, 7, rng);
  return [
    ['matMul', (la) => la.matMul(tall, tall, { transA: true })],
    ['gram', (la) => la.gram(tall)],
    ['weighted gram', (la) => la.gram(tall, { weights: b, scale: 1 / 200 })],
    ['qr (pivoted)', (la) => la.qr(tall)],
    ['qr (rank-deficient, no Q)', (la) => la.qr(deficient, { q: false })],
    ['qr (unpivoted)', (la) => la.qr(A, { pivoting: false })],
    ['eigh', (la) => la.eigh(S)],
    ['svd thin', (la) => la.svd(tall)],
    ['svd full', (la) => la.svd(randomMatrix(12, 30, new Rng(5)), { vectors: 'full' })],
    ['lu', (la) => la.lu(A)],
    ['solve', (la) => la.solve(A, B)],
    ['inv', (la) => la.inv(A)],
    ['cholesky', (la) => la.cholesky(S)],
    ['solveSpd', (la) => la.solveSpd(S, B.data.subarray(0, 50))],
    ['lstsq', (la) => la.lstsq(tall, b)],
    ['lstsq rank-deficient', (la) => la.lstsq(deficient, b.subarray(0, 80))],
    ['kernelMatrix', (la) => la.kernelMatrix({ name: 'gaussian', bandwidth: 3 }, tall, randomMatrix(45, 30, new Rng(6)))],
    ['kernelPredict', (la) => la.kernelPredict({ name: 'laplacian', bandwidth: 3 }, tall, randomMatrix(45, 30, new Rng(6)), randomMatrix(45, 2, new Rng(8)))],
  ];
}

describe.each(backends('linalg threads').map((l) => [l.name] as const))('%s backend on a compute thread', (name) => {
  let pool: LinalgThreadPool;
  let inline: Linalg;
  beforeAll(async () => {
    // The pool sets the process's BLAS threads to 1 first, so the inline calls run with the same count.
    pool = await linalgThread({ backend: name, blasThreads: 1, threads: 2 });
    inline = selectLinalg({ backend: name }).linalg;
  });
  afterAll(() => pool.close());

  it('reports its backend', () => {
    expect(pool.name).toBe(name);
    if (name === 'native') expect(pool.blas?.threads).toBe(1);
  });

  for (const [op, run] of calls(new Rng(11))) {
    it(`${op}: the same bits as the inline call`, async () => {
      const threaded = await run(pool);
      expectSameBits(threaded, run(inline));
      // inlineLinalg: the same call answered as a promise on this thread.
      expectSameBits(await run(inlineLinalg(inline)), threaded);
    });
  }

  it('errors keep their class and message', async () => {
    const singular: Matrix = { rows: 3, cols: 3, data: Float64Array.from([1, 2, 3, 2, 4, 6, 1, 0, 1]) };
    const indefinite: Matrix = { rows: 2, cols: 2, data: Float64Array.from([1, 2, 2, 1]) };
    const nan: Matrix = { rows: 2, cols: 2, data: Float64Array.from([1, NaN, 0, 1]) };
    const cases: [() => Promise<unknown>, () => unknown, new (...a: never[]) => Error][] = [
      [() => pool.inv(singular), () => inline.inv(singular), SingularMatrixError],
      [() => pool.solve(hilbert(14), new Float64Array(14)), () => inline.solve(hilbert(14), new Float64Array(14)), SingularMatrixError],
      [() => pool.cholesky(indefinite), () => inline.cholesky(indefinite), NotPositiveDefiniteError],
      [() => pool.qr(nan), () => inline.qr(nan), InputError],
      [() => pool.lu(randomMatrix(2, 3, new Rng(1))), () => inline.lu(randomMatrix(2, 3, new Rng(1))), ShapeError],
    ];
    for (const [threaded, direct, cls] of cases) {
      let expected: Error | undefined;
      try {
        direct();
      } catch (e) {
        expected = e as Error;
      }
      expect(expected).toBeInstanceOf(cls);
      const got = await threaded().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(got).toBeInstanceOf(cls);
      expect(got!.constructor).toBe(expected!.constructor);
      expect(got!.message).toBe(expected!.message);
    }
  });

  it('many concurrent calls over two threads: each gets its own answer', async () => {
    const rng = new Rng(99);
    const A = randomMatrix(40, 40, rng);
    const rhs = Array.from({ length: 40 }, () => randomMatrix(40, 1, rng).data);
    const answers = await Promise.all(rhs.map((b) => pool.solve(A, b)));
    answers.forEach((r, i) => expectSameBits(r, inline.solve(A, rhs[i]!)));
    expect(pool.outstanding).toBe(0);
  });

  it('shared-memory inputs are read in place; ordinary inputs are copied, never detached', async () => {
    const rng = new Rng(4);
    const A = randomMatrix(30, 30, rng);
    const shared = sharedMatrix(30, 30, A.data);
    expect(shared.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expectSameBits(await pool.inv(shared), inline.inv(A));
    const view = { rows: 30, cols: 30, data: new Float64Array(2000).subarray(100, 1000) };
    view.data.set(A.data);
    expectSameBits(await pool.inv(view), inline.inv(A));
    expect(A.data.length).toBe(900); // still the caller's
    expect(view.data.length).toBe(900);
  });
});

describe('the pool', () => {
  it('close() cancels calls still out; later calls are refused', async () => {
    const pool = await linalgThread({ backend: 'js' });
    const slow = pool.svd(randomMatrix(300, 300, new Rng(2))).then(
      () => undefined,
      (e: unknown) => e,
    );
    await pool.close();
    expect(await slow).toBeInstanceOf(CancelledError);
    await expect(pool.qr(randomMatrix(2, 2, new Rng(1)))).rejects.toBeInstanceOf(CancelledError);
    await pool.close(); // twice is fine
  });

  it('an explicit native backend that cannot load is an InputError at start', async () => {
    await expect(linalgThread({ backend: 'native', addon: '/nonexistent/coda_blas.node' })).rejects.toBeInstanceOf(InputError);
    await expect(linalgThread({ blasThreads: 0 })).rejects.toBeInstanceOf(InputError);
  });

  it('an idle pool does not keep the process alive; a call out does', () => {
    const dist = join(__dirname, '..', '..', '..', 'dist', 'shared', 'linalg', 'index.js');
    const script = `
      const { linalgThread } = require(${JSON.stringify(dist)});
      linalgThread().then(async (la) => {
        const r = await la.qr({ rows: 2, cols: 2, data: Float64Array.from([1, 2, 3, 4]) });
        console.log('rank', r.rank, la.name);
      });`;
    const p = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(p.signal, p.stderr).toBeNull();
    expect(p.status, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/^rank 2 (native|js)\n$/);
  });
});
