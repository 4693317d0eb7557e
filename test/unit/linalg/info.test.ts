import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { staleDist } from '../../helpers/dist-fresh';
import { nativeLinalgOrSkip } from './helpers';

/** `coda info` says whether LAPACK is present, and which routines; the CLI runs from dist/. */
beforeAll(() => {
  const stale = staleDist();
  if (stale) throw new Error(stale);
});

const BIN = join(__dirname, '..', '..', '..', 'bin', 'coda.js');
const native = nativeLinalgOrSkip('coda info');

function info(env: Record<string, string> = {}): { status: number | null; json: Record<string, unknown>; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'info', '--json'], { encoding: 'utf8', env: { ...process.env, CODA_KERNELS: '', ...env }, timeout: 60_000 });
  return { status: r.status, json: JSON.parse(r.stdout || '{}') as Record<string, unknown>, stderr: r.stderr };
}

it.skipIf(!native)('with the addon built: LAPACK present, every routine named, the master on LAPACK', () => {
  const r = info();
  expect(r.status, r.stderr).toBe(0);
  const lapack = r.json.lapack as { present: boolean; routines: Record<string, boolean> };
  expect(lapack.present).toBe(true);
  for (const routine of ['dgeqp3', 'dorgqr', 'dsyevd', 'dgesdd', 'dgetrf', 'dgetrs', 'dgetri', 'dgecon', 'dpotrf', 'dpotrs', 'dpocon', 'dgelsd']) {
    expect(lapack.routines[routine], routine).toBe(true);
  }
  expect(r.json.linalg).toBe('native');
  // Present but not used when the plain backend is chosen.
  expect(info({ CODA_KERNELS: 'js' }).json).toMatchObject({ lapack: { present: true }, linalg: 'js' });
});

it('without the addon: LAPACK absent with the reason, ml-matrix, exit 0', () => {
  const r = info({ CODA_NATIVE_ADDON: '/nonexistent/coda_blas.node' });
  expect(r.status).toBe(0);
  expect(r.json).toMatchObject({ lapack: { present: false, routines: null }, linalg: 'js' });
  expect((r.json.lapack as { unavailable: string }).unavailable).toMatch(/not built/);
  const text = spawnSync(process.execPath, [BIN, 'info'], { encoding: 'utf8', env: { ...process.env, CODA_NATIVE_ADDON: '/nonexistent/coda_blas.node' } });
  expect(text.stdout).toMatch(/^LAPACK:\s+none \(no addon at \/nonexistent\/coda_blas.node: not built\)$/m);
});
