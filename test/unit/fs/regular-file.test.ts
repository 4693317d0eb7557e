import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJobText, resolveJobPaths } from '../../../shared/config';
import { InputError } from '../../../shared/errors';
import { openRegularFile, readRegularFile } from '../../../shared/fs';
import { readDelayTrace } from '../../../shared/chaos/trace';
import { formatNpy, loadMatrix, matrixShape, readCsv } from '../../../shared/tensor';
import { readLibsvm } from '../../../master/data/libsvm';
import { loadExperimentFile } from '../../../experiments/load';

// A FIFO with no writer: any reader that opened it the blocking way would hang this test
// (vitest's timeout would then fail it), so an InputError proves it was never opened so.
const dir = mkdtempSync(join(tmpdir(), 'coda-regular-'));
const fifo = join(dir, 'A.npy');
const fifoCsv = join(dir, 'A.csv');
const sock = join(dir, 'sock.npy');
const folder = join(dir, 'folder.npy');
const regular = join(dir, 'ok.npy');
const link = join(dir, 'link.npy');
let server: Server;

beforeAll(async () => {
  expect(spawnSync('mkfifo', [fifo, fifoCsv]).status).toBe(0);
  mkdirSync(folder);
  writeFileSync(regular, formatNpy([2, 2], Float64Array.of(1, 2, 3, 4)));
  symlinkSync(regular, link);
  server = createServer();
  await new Promise<void>((r) => server.listen(sock, () => r()));
});

afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('inputs are read only from regular files', () => {
  it('reads a regular file and a link to one', () => {
    expect(readRegularFile(regular)).toEqual(readRegularFile(link));
    expect(loadMatrix(link).data).toEqual(Float64Array.of(1, 2, 3, 4));
  });

  it.each([
    ['a FIFO', fifo, /A\.npy is a FIFO \(named pipe\), not a regular file/],
    ['a socket', sock, /sock\.npy is a socket, not a regular file/],
    ['a character device', '/dev/zero', /\/dev\/zero is a character device, not a regular file/],
    ['a folder', folder, /folder\.npy is a folder, not a regular file/],
  ])('refuses %s before opening it', (_what, path, says) => {
    expect(() => readRegularFile(path)).toThrow(InputError);
    expect(() => readRegularFile(path)).toThrow(says);
    expect(() => openRegularFile(path)).toThrow(says);
  });

  it('leaves a missing file to the caller (its errno error)', () => {
    expect(() => readRegularFile(join(dir, 'nothing'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('every reader of a data, job, trace or experiment file refuses a FIFO', () => {
    const fifoRefused = /is a FIFO \(named pipe\), not a regular file/;
    for (const read of [
      () => loadMatrix(fifo),
      () => matrixShape(fifo),
      () => readCsv(fifoCsv),
      () => readLibsvm(fifo),
      () => readDelayTrace(fifoCsv),
      () => readJobText(fifo),
      () => loadExperimentFile(fifo),
    ]) {
      expect(read).toThrow(InputError);
      expect(read).toThrow(fifoRefused);
    }
  });

  it("a job's data path that is a FIFO or a device is named by its key", () => {
    const job = { job: 'least-squares', data: { A: fifo, b: regular } };
    expect(() => resolveJobPaths(job, dir, 'job.yaml')).toThrow(/^job\.yaml: data\.A: .*A\.npy is a FIFO \(named pipe\), not a regular file$/);
    expect(() => resolveJobPaths({ job: 'least-squares', data: { A: regular, b: '/dev/zero' } }, dir, 'job.yaml')).toThrow(/data\.b: \/dev\/zero is a character device/);
    const trace = { ...job, data: { A: regular, b: regular }, chaos: { delay: { dist: 'trace', file: fifoCsv } } };
    expect(() => resolveJobPaths(trace, dir, 'job.yaml')).toThrow(/chaos\.delay\.file: .*A\.csv is a FIFO/);
  });
});
