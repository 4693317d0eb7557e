import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kernelOptionsFrom } from '../../../cli/kernels';
import { InputError } from '../../../shared/errors';
import { availableCpus, jsKernels, NATIVE_INSTALL, selectKernels } from '../../../shared/kernels';
import { Rng } from '../../../shared/random';
import { nativeKernelsOrSkip } from '../../helpers/native-kernels';

/**
 * Choosing the backend: the addon missing, not a Node addon, or not loadable here falls back to
 * the plain loops with one warning naming the install command; explicit choices are honoured;
 * thread counts follow the local-cluster / container rule.
 */
const native = nativeKernelsOrSkip('kernel selection');
const dir = mkdtempSync(join(tmpdir(), 'coda-select-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('selectKernels', () => {
  const rng = new Rng(3);
  const A = { rows: 20, cols: 6, data: Float64Array.from({ length: 120 }, () => rng.normal()) };
  const b = Float64Array.from({ length: 20 }, () => rng.normal());
  const x = Float64Array.from({ length: 6 }, () => rng.normal());
  const expected = jsKernels.lsGradient(A, b, x, new Float64Array(6));

  function expectFallback(addon: string, reason: RegExp): void {
    const sel = selectKernels({ backend: 'auto', threads: 1, addon });
    expect(sel.kernels).toBe(jsKernels);
    expect(sel.failure).toMatch(reason);
    expect(sel.warning).toContain(NATIVE_INSTALL);
    expect(sel.warning!.split('\n')).toHaveLength(1);
    // Results unchanged: the fallback is the reference itself.
    expect(Array.from(sel.kernels.lsGradient(A, b, x, new Float64Array(6)))).toEqual(Array.from(expected));
    // Asked for explicitly, the same failure is an error instead.
    expect(() => selectKernels({ backend: 'native', threads: 1, addon })).toThrow(InputError);
  }

  it('no addon file (never built): the plain loops and a warning', () => {
    expectFallback(join(dir, 'missing.node'), /not built/);
  });

  it('a file that is not a shared object (a corrupt or foreign-platform build)', () => {
    const f = join(dir, 'garbage.node');
    writeFileSync(f, 'this is not an ELF file\n');
    expectFallback(f, /invalid ELF header|file too short/);
  });

  it.skipIf(!native)('a shared object that is no Node addon, as one built for another Node fails to register', () => {
    const lib = selectKernels({ backend: 'native', threads: 1 }).blas!.library;
    const f = join(dir, 'not-an-addon.node');
    copyFileSync(lib, f);
    expectFallback(f, /self-register|Module did not|napi/i);
  });

  it('js is the plain loops without loading anything; an unknown backend is refused', () => {
    const sel = selectKernels({ backend: 'js', threads: 1, addon: join(dir, 'missing.node') });
    expect(sel.kernels).toBe(jsKernels);
    expect(sel.warning).toBeUndefined();
    expect(() => selectKernels({ backend: 'blas' as 'js', threads: 1 })).toThrow(InputError);
  });

  it.skipIf(!native)('native reports its BLAS library and sets the thread count it was given', () => {
    const two = selectKernels({ backend: 'native', threads: 2 });
    expect(two.kernels.name).toBe('native');
    expect(two.blas!.config).toMatch(/OpenBLAS/);
    expect(two.blas!.library).toMatch(/openblas/);
    expect(two.blas!.threads).toBe(2);
    expect(selectKernels({ backend: 'auto', threads: 1 }).blas!.threads).toBe(1);
    expect(() => selectKernels({ backend: 'native', threads: 0 })).toThrow(InputError);
  });
});

describe('kernel options from flags and environment (resolved once, in the CLI)', () => {
  it('defaults: auto; 1 BLAS thread for a local-cluster worker, the available CPUs otherwise', () => {
    expect(kernelOptionsFrom({}, {}, true)).toEqual({ backend: 'auto', threads: 1 });
    expect(kernelOptionsFrom({}, {}, false)).toEqual({ backend: 'auto', threads: availableCpus() });
  });
  it('CODA_KERNELS, CODA_THREADS and CODA_NATIVE_ADDON; flags win over the environment', () => {
    const env = { CODA_KERNELS: 'js', CODA_THREADS: '3', CODA_NATIVE_ADDON: '/x/coda_blas.node' };
    expect(kernelOptionsFrom({}, env, true)).toEqual({ backend: 'js', threads: 3, addon: '/x/coda_blas.node' });
    expect(kernelOptionsFrom({ kernels: 'native', threads: '2' }, env, true)).toMatchObject({ backend: 'native', threads: 2 });
  });
  it('bad values are refused with the name of the setting', () => {
    expect(() => kernelOptionsFrom({ kernels: 'blas' }, {}, true)).toThrow(/CODA_KERNELS/);
    expect(() => kernelOptionsFrom({}, { CODA_THREADS: '0' }, true)).toThrow(/CODA_THREADS/);
    expect(() => kernelOptionsFrom({ threads: '1.5' }, {}, true)).toThrow(/--threads/);
  });
});

describe('availableCpus: the cgroup CPU limit of a container or pod', () => {
  const cpus = availableParallelism();
  const fake = (files: Record<string, string>): string => {
    const root = mkdtempSync(join(dir, 'cgroup-'));
    for (const [p, v] of Object.entries(files)) {
      mkdirSync(join(root, p, '..'), { recursive: true });
      writeFileSync(join(root, p), v);
    }
    return root;
  };
  it('cgroup v2 cpu.max: a quota rounds up, "max" is no limit', () => {
    expect(availableCpus(fake({ 'cpu.max': '50000 100000\n' }))).toBe(1);
    expect(availableCpus(fake({ 'cpu.max': '150000 100000\n' }))).toBe(Math.min(cpus, 2));
    expect(availableCpus(fake({ 'cpu.max': 'max 100000\n' }))).toBe(cpus);
  });
  it('cgroup v1 cfs quota and period; -1 is no limit; no cgroup files: the CPUs of the machine', () => {
    expect(availableCpus(fake({ 'cpu/cpu.cfs_quota_us': '100000', 'cpu/cpu.cfs_period_us': '100000' }))).toBe(1);
    expect(availableCpus(fake({ 'cpu,cpuacct/cpu.cfs_quota_us': '-1', 'cpu,cpuacct/cpu.cfs_period_us': '100000' }))).toBe(cpus);
    expect(availableCpus(fake({}))).toBe(cpus);
  });
});
