import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../master/state';
import { parseNpy } from '../../shared/tensor';
import { freePort } from '../helpers/free-port';
import { pollFor } from '../helpers/cluster-fixture';
import { codaProcesses, type CodaProcess } from '../helpers/coda-process';

/**
 * A master that survives kill -9: real processes of bin/coda.js (a `coda master --state`, three
 * standalone workers, a submitter `coda run --master --wait`) on loopback. The master is killed
 * mid-job once it has checkpointed, started again on the same folder, and must resume the job
 * from its checkpoint: the submitter re-attaches and gets an answer equal, bit for bit, to an
 * uninterrupted run of the same job (wait-all sums in slot order; steepest descent with the fixed
 * step 1/σmax(A)² draws nothing random), and the history says where the restart happened.
 */
type Proc = CodaProcess;
const processes = codaProcesses();
const coda = (args: string[], cwd?: string): Proc => processes.start(args, cwd);
const dirs: string[] = [];

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

afterEach(async () => {
  expect(await processes.stopAll(), 'processes left behind').toEqual([]);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The round of the newest checkpoint of the (only) job in the state folder, or -1. */
function checkpointRound(state: string): number {
  const jobs = join(state, 'jobs');
  if (!existsSync(jobs)) return -1;
  for (const id of readdirSync(jobs)) {
    const f = join(jobs, id, 'checkpoint.bin');
    if (existsSync(f)) {
      try {
        return readCheckpoint(f).round;
      } catch {
        return -1;
      }
    }
  }
  return -1;
}

const JOB = `job: least-squares
data: { synthetic: { kind: student-t, rows: 1200, cols: 30, seed: 4, df: 2.5, noise: 0.01 } }
scheme: { name: wait-all }
workers: 3
chaos: { delay: { dist: constant, value: 0.01 } }
stop: { tol: 1.0e-14, maxRounds: 150, timeLimit: 120 }
step: inverse-lipschitz
`;

interface LsResultFile {
  rounds: number;
  stoppedBy: string;
  history: { round: number; resumed?: boolean }[];
  recovery?: { restarts: { resumedFromRound: number; roundsRedone: number; checkpointAt: string | null }[] };
}

describe('coda master --state survives kill -9', () => {
  it('a job resumes from its checkpoint on the restarted master and gives the uninterrupted answer bit for bit', async () => {
    const dir = tempDir('coda-recovery-');
    const state = join(dir, 'state');
    writeFileSync(join(dir, 'job.yaml'), JOB);
    const port = await freePort();
    const masterArgs = ['master', '--host=127.0.0.1', `--port=${port}`, '--metrics-port=0', `--state=${state}`, '--checkpoint-every=0.2'];
    let master = coda(masterArgs, dir);
    await pollFor(() => /master listening/.test(master.output()), 20_000, 'the master');
    const workers = [0, 1, 2].map(() => coda(['worker', `--master=127.0.0.1:${port}`, '--host=127.0.0.1', '--port=0']));
    await pollFor(() => workers.every((w) => /worker \d+ listening/.test(w.output())), 30_000, 'three workers');

    const submit = coda(['run', 'job.yaml', `--master=127.0.0.1:${port}`, '--wait=60', '--out=resumed'], dir);
    await pollFor(() => checkpointRound(state) >= 30, 60_000, 'a checkpoint at round 30 or later');
    master.child.kill('SIGKILL');
    expect((await master.exit).signal).toBe('SIGKILL');
    const killedAfter = checkpointRound(state);
    expect(killedAfter).toBeLessThan(120);

    // The workers stay (they do not exit on master loss) and re-register with the new master.
    await new Promise((r) => setTimeout(r, 500));
    for (const w of workers) expect(w.child.exitCode, w.output()).toBeNull();
    master = coda(masterArgs, dir);
    const ended = await Promise.race([submit.exit, new Promise<undefined>((r) => setTimeout(r, 120_000, undefined))]);
    const tail = (p: Proc): string => p.output().split('\n').slice(-25).join('\n');
    const context = `--- submitter ---\n${tail(submit)}\n--- master ---\n${tail(master)}\n${workers.map((w, i) => `--- worker ${i} ---\n${tail(w)}`).join('\n')}`;
    expect(ended?.code, context).toBe(0);
    expect(submit.output()).toMatch(/lost the master/);
    expect(submit.output()).toMatch(/resumed after a master restart from its checkpoint at round \d+/);
    expect(master.output()).toMatch(/resuming a job accepted by a previous master/);
    for (const w of workers) expect(w.output()).toMatch(/dropped the blocks and chaos of the one before/);

    const resumed = JSON.parse(readFileSync(join(dir, 'resumed', 'result.json'), 'utf8')) as LsResultFile;
    const restart = resumed.recovery!.restarts;
    expect(restart).toHaveLength(1);
    expect(restart[0]!.resumedFromRound).toBeGreaterThanOrEqual(killedAfter);
    expect(restart[0]!.checkpointAt).not.toBeNull();
    // One history point a round, no gaps or repeats across the restart; the first one after it marked.
    expect(resumed.history.map((h) => h.round)).toEqual(Array.from({ length: resumed.rounds }, (_, i) => i + 1));
    expect(resumed.history.filter((h) => h.resumed).map((h) => h.round)).toEqual([restart[0]!.resumedFromRound + 1]);
    // history.jsonl (streamed back by the master) holds every round too, the ones before the restart included.
    const lines = readFileSync(join(dir, 'resumed', 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { round: number; resumed?: true });
    expect(lines.map((h) => h.round)).toEqual(Array.from({ length: resumed.rounds }, (_, i) => i + 1));
    expect(lines.filter((h) => h.resumed).map((h) => h.round)).toEqual([restart[0]!.resumedFromRound + 1]);

    // The same job again, uninterrupted, on the same cluster.
    const again = coda(['run', 'job.yaml', `--master=127.0.0.1:${port}`, '--out=uninterrupted'], dir);
    expect((await again.exit).code, again.output()).toBe(0);
    const plain = JSON.parse(readFileSync(join(dir, 'uninterrupted', 'result.json'), 'utf8')) as LsResultFile;
    expect(plain.recovery).toBeUndefined();
    expect(resumed.rounds).toBe(plain.rounds);
    expect(resumed.stoppedBy).toBe(plain.stoppedBy);
    const x1 = parseNpy(readFileSync(join(dir, 'resumed', 'x.npy')), 'x');
    const x2 = parseNpy(readFileSync(join(dir, 'uninterrupted', 'x.npy')), 'x');
    expect(Buffer.from(x1.data.buffer).equals(Buffer.from(x2.data.buffer))).toBe(true);
  }, 180_000);
});

describe('checkpoint files are never half-written', () => {
  it('a process killed at random moments while it writes 4 MB checkpoints always leaves a whole one', async () => {
    const dir = tempDir('coda-ckpt-kill-');
    const file = join(dir, 'checkpoint.bin');
    const stateModule = resolve(__dirname, '../../dist/master/state/index.js');
    // Writes checkpoint n (every value of its array is n) as fast as it can, forever.
    const script = `
      const { writeCheckpoint } = require(${JSON.stringify(stateModule)});
      let n = Number(process.argv[1]);
      const a = new Float64Array(512 * 1024);
      for (;;) {
        a.fill(++n);
        writeCheckpoint(${JSON.stringify(file)}, { kind: 'test', version: 1, round: n, historyCount: 0, historyBytes: 0, sessionRounds: n, savedAt: new Date().toISOString(), restarts: [], state: { n, a } });
        if (n === Number(process.argv[1]) + 1) process.stdout.write('writing\\n');
      }`;
    let last = 0;
    // Seeded kill times up to 50 ms after the writer's first checkpoint (one takes a few ms).
    let seed = 12345;
    const next = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let kills = 0;
    let midWrite = 0;
    for (let i = 0; i < 20; i++) {
      const child = spawn(process.execPath, ['-e', script, String(last)], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exit = new Promise((r) => child.once('exit', r));
      await Promise.race([new Promise((r) => child.stdout!.once('data', r)), exit]);
      await new Promise((r) => setTimeout(r, 50 * next()));
      child.kill('SIGKILL');
      await exit;
      kills++;
      // A temporary file left behind: this kill landed in the middle of a write.
      for (const f of readdirSync(dir)) {
        if (f.endsWith('.tmp')) {
          midWrite++;
          rmSync(join(dir, f));
        }
      }
      if (!existsSync(file)) continue;
      const c = readCheckpoint(file);
      const st = c.state as { n: number; a: Float64Array };
      expect(st.a.length).toBe(512 * 1024);
      expect(st.a.every((v) => v === st.n)).toBe(true);
      expect(c.round).toBe(st.n);
      expect(st.n).toBeGreaterThanOrEqual(last);
      last = st.n;
    }
    expect(kills).toBe(20);
    expect(last).toBeGreaterThanOrEqual(20);
    // Most kills land mid-write (writing and fsyncing 4 MB is most of the loop); what matters is
    // that some did, and the file read after each was whole.
    expect(midWrite).toBeGreaterThan(0);
  }, 120_000);
});
