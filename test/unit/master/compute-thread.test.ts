import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SumDecoder } from '../../../core/schemes';
import { materializeStoredBlocks } from '../../../core/schemes/placement';
import type { Plan, StoredBlockSpec } from '../../../core/schemes/types';
import { inlineMasterCompute, masterCompute, masterThreadEntry, type MasterCompute } from '../../../master/compute';
import { InputError } from '../../../shared/errors';
import { jsLinalg, linalgThread, type LinalgThreadPool } from '../../../shared/linalg';
import { Rng } from '../../../shared/random';
import { formatNpy, type Matrix } from '../../../shared/tensor';
import { staleDist } from '../../helpers/dist-fresh';
import { expectSameBits } from '../../helpers/same-bits';

/**
 * The master's array work on its compute thread (master/compute) gives the same bits as the
 * same functions inline, its big results in shared memory; errors keep their class. The thread
 * runs the compiled entry (dist/): a stale build fails at once.
 */
let pool: LinalgThreadPool;
let thread: MasterCompute;
const inline = inlineMasterCompute(jsLinalg);
let dir: string;

beforeAll(async () => {
  const stale = staleDist();
  if (stale) throw new Error(stale);
  pool = await linalgThread({ backend: 'js', entry: masterThreadEntry() });
  thread = masterCompute(pool);
  dir = mkdtempSync(join(tmpdir(), 'coda-compute-'));
});

afterAll(async () => {
  await pool?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const isShared = (M: Matrix): boolean => M.data.buffer instanceof SharedArrayBuffer;

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const rng = new Rng(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => rng.normal()) };
}

describe('master compute thread: the same bits as inline', () => {
  it('logistic data: generated (with a test split), X in shared memory', async () => {
    const data = { synthetic: { rows: 300, cols: 17, seed: 4, signal: 3, correlation: 0.5 }, test: { fraction: 0.2, seed: 2 } };
    const [t, i] = await Promise.all([thread.logisticProblem(data), inline.logisticProblem(data)]);
    expectSameBits(t, i);
    expect(isShared(t.train.X) && isShared(t.test!.X)).toBe(true);
    const plain = await thread.logisticProblem({ synthetic: { rows: 50, cols: 5, seed: 1, signal: 3, correlation: 0 } });
    expect(isShared(plain.train.X)).toBe(true);
  });

  it('least-squares data: generated and read from files, A in shared memory', async () => {
    const job = { data: { synthetic: { kind: 'student-t' as const, rows: 120, cols: 9, seed: 3, df: 1.5, noise: 0.01 } } };
    const [t, i] = await Promise.all([thread.leastSquaresProblem(job), inline.leastSquaresProblem(job)]);
    expectSameBits(t, i);
    expect(isShared(t.A)).toBe(true);
    const A = randomMatrix(30, 4, 9);
    writeFileSync(join(dir, 'A.npy'), formatNpy([30, 4], A.data));
    writeFileSync(join(dir, 'b.npy'), formatNpy([30], new Float64Array(30).fill(1)));
    const files = { data: { A: join(dir, 'A.npy'), b: join(dir, 'b.npy') } };
    const [tf, fi] = await Promise.all([thread.leastSquaresProblem(files), inline.leastSquaresProblem(files)]);
    expectSameBits(tf, fi);
    expectSameBits(tf.A.data, A.data);
    expect(isShared(tf.A)).toBe(true);
  });

  it('the inverse job matrix, generated', async () => {
    const data = { synthetic: { rows: 40, cols: 25, seed: 6 } };
    const [t, i] = await Promise.all([thread.inverseMatrix(data), inline.inverseMatrix(data)]);
    expectSameBits(t, i);
    expect(isShared(t)).toBe(true);
    // The generator the inverse runner used before (one normal draw per entry, row-major).
    const rng = new Rng(6);
    expectSameBits(t.data, Float64Array.from({ length: 40 * 25 }, () => rng.normal()));
  });

  it('padded copies and transposes of X', async () => {
    const X = randomMatrix(23, 7, 1);
    for (const k of [1, 3, 5, 7]) {
      expectSameBits(await thread.padRows(X, k), await inline.padRows(X, k));
      const T = await thread.paddedTranspose(X, k);
      expectSameBits(T, await inline.paddedTranspose(X, k));
      expect(isShared(T)).toBe(true);
      expect(T.rows % k).toBe(0);
    }
  });

  it('coded stored blocks: the same as materializeStoredBlocks, right-hand side included', async () => {
    const A = randomMatrix(12, 5, 2);
    const b = Float64Array.from({ length: 12 }, (_, i) => i - 3.5);
    const blockStarts = [0, 4, 8, 12];
    const stored: StoredBlockSpec[] = [
      { terms: [{ block: 0, coef: 1 }] },
      { terms: [{ block: 1, coef: 0.5 }] },
      { terms: [{ block: 0, coef: 1 }, { block: 1, coef: -2 }, { block: 2, coef: 1 / 3 }] },
      { terms: [{ block: 2, coef: 1 }, { block: 1, coef: 1 }] },
    ];
    const reference = materializeStoredBlocks({ stored, slots: [] } as unknown as Plan, { A, b, blockStarts });
    const coded = [1, 2, 3];
    const t = await thread.storedBlocks(stored, coded, A, b, blockStarts);
    expectSameBits(t, coded.map((id) => reference[id]));
  });

  it('the logistic reference optimum', async () => {
    const { train } = await inline.logisticProblem({ synthetic: { rows: 400, cols: 8, seed: 2, signal: 3, correlation: 0.3 } });
    const s = { tol: 1e-12, maxIterations: 50 };
    expectSameBits(await thread.logisticReference(train.X, train.y, 1e-3, s), await inline.logisticReference(train.X, train.y, 1e-3, s));
  });

  it('a bad data file is an InputError, as inline', async () => {
    const missing = { data: { A: join(dir, 'none.npy'), b: join(dir, 'b.npy') } };
    const inlineErr = await inline.leastSquaresProblem(missing).catch((e: unknown) => e);
    const threadErr = await thread.leastSquaresProblem(missing).catch((e: unknown) => e);
    expect(inlineErr).toBeInstanceOf(InputError);
    expect(threadErr).toBeInstanceOf(InputError);
    expect((threadErr as Error).message).toBe((inlineErr as Error).message);
  });

  it('an unknown operation is refused by name', async () => {
    await expect(pool.run('noSuchOperation', [])).rejects.toThrow(/unknown operation 'noSuchOperation'/);
  });
});

describe('master compute thread: the weighted sum of a decode', () => {
  it('equals the decoder decoding inline, bit for bit, the answers in shared memory', async () => {
    const rng = new Rng(11);
    const decoder = new SumDecoder((a) => a.size === 5, (a) => new Map([...a.keys()].map((s) => [s, 1 + s / 3])), true);
    for (const slot of [3, 0, 4, 1, 2]) {
      const v = new Float64Array(new SharedArrayBuffer(8 * 257));
      for (let i = 0; i < v.length; i++) v[i] = rng.normal() * 10 ** ((i % 7) - 3);
      decoder.add(slot, v);
    }
    const ws = decoder.weightedSum();
    expect(ws.used).toEqual([0, 1, 2, 3, 4]);
    expectSameBits(await thread.weightedSum(ws), decoder.decode());
  });
});
