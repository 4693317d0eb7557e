import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../shared/errors';
import { openRegularFile } from '../../shared/fs';
import type { Logger } from '../../shared/log';
import { parseNpy } from '../../shared/tensor';
import { writeJobOutputs, type JobOutput } from './job-output';
import { JobCheckpoint, type CheckpointOptions } from './checkpointer';
import { writeFileAtomic } from '../../shared/fs';

/**
 * The master's state folder (`coda master --state DIR`): every accepted job, durably:
 *
 *   DIR/jobs/<id>/job.json         the job as accepted: its text, the folder its paths are
 *                                  relative to, its worker count, the data files' fingerprints
 *                 status.json      accepted | running | finished | failed | cancelled
 *                 checkpoint.bin   the runner's last checkpoint (checkpointer.ts)
 *                 history.jsonl    its history, appended every round
 *                 result/          result.json, the tensors (.npy), extra files, summary.txt
 *
 * Every file is written atomically (writeFileAtomic), so a master killed at any moment finds each
 * one whole: old or new. A restarted master lists the jobs that were accepted or running and
 * resumes them; finished ones keep their result for a submitter that re-attaches.
 */

/** A data file a job reads, as it was when the job was accepted: a resumed job refuses a changed file. */
export interface DataFingerprint {
  path: string;
  bytes: number;
  sha256: string;
}

const jobFile = z.object({
  id: z.string(),
  seq: z.number().int(),
  submittedAt: z.string(),
  yaml: z.string(),
  yamlSha256: z.string(),
  baseDir: z.string(),
  /** The worker count the job runs on (the job's `workers`, or what the master was told). */
  workers: z.number().int().positive(),
  origin: z.enum(['submitted', 'master-job']),
  data: z.array(z.object({ path: z.string(), bytes: z.number(), sha256: z.string() })),
  /** The folder of the arrays uploaded with the job (UploadArrays), kept until it ends. */
  uploadDir: z.string().optional(),
});
export type StoredJob = z.infer<typeof jobFile>;

export const JOB_STATES = ['accepted', 'running', 'finished', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

const statusFile = z.object({
  state: z.enum(JOB_STATES),
  at: z.string(),
  message: z.string().optional(),
  exitCode: z.number().int().optional(),
});
export type JobStatus = z.infer<typeof statusFile>;

const manifestFile = z.object({ tensors: z.array(z.string()), files: z.array(z.string()), summary: z.string(), historyRounds: z.number().int().nonnegative().optional() });

/** Ids are folder names: nothing that could climb out of DIR/jobs. */
export const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/** SHA-256 of a file, read in 4 MiB pieces (a large data file is not held in memory twice). */
export function fingerprint(path: string): DataFingerprint {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(4 << 20);
  const fd = openRegularFile(path);
  let bytes = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.byteLength, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      bytes += n;
    }
  } finally {
    closeSync(fd);
  }
  return { path, bytes, sha256: hash.digest('hex') };
}

/** Throws InputError naming the first data file that is gone or changed since the job was accepted. */
export function checkFingerprints(data: readonly DataFingerprint[]): void {
  for (const f of data) {
    if (!existsSync(f.path)) throw new InputError(`data file ${f.path} is gone since the job was accepted`);
    if (statSync(f.path).size !== f.bytes || fingerprint(f.path).sha256 !== f.sha256) throw new InputError(`data file ${f.path} changed since the job was accepted`);
  }
}

function readJson<T>(path: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>): T {
  return schema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

export class JobStateDir {
  private readonly jobsDir: string;
  private nextSeq = 1;

  constructor(
    readonly root: string,
    private readonly log: Logger,
    private readonly checkpointOptions?: CheckpointOptions,
  ) {
    this.jobsDir = join(root, 'jobs');
    try {
      mkdirSync(this.jobsDir, { recursive: true });
      // Write-tested now, not when the first checkpoint is due.
      writeFileAtomic(join(root, '.write-test'), 'ok\n');
      rmSync(join(root, '.write-test'), { force: true });
    } catch (e) {
      throw new InputError(`--state ${root}: not a writable folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    for (const j of this.list()) {
      this.nextSeq = Math.max(this.nextSeq, j.job.seq + 1);
      // A master killed mid-write left its temporary file (the real one is whole): clear it away.
      for (const d of [this.dir(j.job.id), join(this.dir(j.job.id), 'result')]) {
        if (existsSync(d)) for (const f of readdirSync(d)) if (/^\..*\.tmp$/.test(f)) rmSync(join(d, f), { force: true });
      }
    }
  }

  private dir(id: string): string {
    if (!JOB_ID.test(id)) throw new InputError(`job id '${id}' is not a valid id (letters, digits, '.', '_', '-'; at most 64)`);
    return join(this.jobsDir, id);
  }

  has(id: string): boolean {
    return existsSync(join(this.dir(id), 'job.json'));
  }

  /** Records a newly accepted job (its folder, job.json, status accepted). */
  create(job: Omit<StoredJob, 'seq'>): StoredJob {
    const stored: StoredJob = { ...job, seq: this.nextSeq++ };
    const dir = this.dir(job.id);
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(join(dir, 'job.json'), JSON.stringify(stored, null, 2));
    this.setStatus(job.id, { state: 'accepted', at: new Date().toISOString() });
    return stored;
  }

  setStatus(id: string, status: JobStatus): void {
    writeFileAtomic(join(this.dir(id), 'status.json'), JSON.stringify(status));
  }

  /** Every stored job with its status, in the order accepted; a folder that cannot be read is skipped loudly. */
  list(): { job: StoredJob; status: JobStatus }[] {
    const out: { job: StoredJob; status: JobStatus }[] = [];
    for (const name of existsSync(this.jobsDir) ? readdirSync(this.jobsDir) : []) {
      if (!JOB_ID.test(name)) continue;
      const dir = join(this.jobsDir, name);
      if (!existsSync(join(dir, 'job.json'))) continue;
      try {
        const job = readJson(join(dir, 'job.json'), jobFile);
        const status = existsSync(join(dir, 'status.json')) ? readJson(join(dir, 'status.json'), statusFile) : { state: 'accepted' as const, at: job.submittedAt };
        out.push({ job, status });
      } catch (e) {
        this.log.error({ dir, err: (e as Error).message }, 'a stored job cannot be read; skipped');
      }
    }
    return out.sort((a, b) => a.job.seq - b.job.seq);
  }

  get(id: string): { job: StoredJob; status: JobStatus } | undefined {
    if (!JOB_ID.test(id) || !this.has(id)) return undefined;
    return this.list().find((j) => j.job.id === id);
  }

  /** The job's checkpointer; `resumed`: a previous master accepted it. */
  checkpoint(id: string, kind: string, resumed: boolean): JobCheckpoint {
    return new JobCheckpoint(this.dir(id), kind, this.log, resumed, this.checkpointOptions);
  }

  /** Where a running job streams its per-round history (moved into its result when it finishes). */
  historyPath(id: string): string {
    return join(this.dir(id), 'history.jsonl.partial');
  }

  /** Keeps a finished job's outputs (the one result writer, job-output.ts), then marks it finished (the status is the commit point). */
  saveResult(id: string, out: JobOutput): void {
    const dir = join(this.dir(id), 'result');
    // The history moves from the job's folder into its result (same filesystem: a rename).
    writeJobOutputs(dir, out);
    if (out.history) out.history = { path: join(dir, 'history.jsonl'), rounds: out.history.rounds };
    writeFileAtomic(join(dir, 'manifest.json'), JSON.stringify({ tensors: Object.keys(out.tensors), files: Object.keys(out.files ?? {}), summary: out.summary, ...(out.history ? { historyRounds: out.history.rounds } : {}) }));
    this.setStatus(id, { state: 'finished', at: new Date().toISOString() });
  }

  loadResult(id: string): JobOutput<Record<string, unknown>> {
    const dir = join(this.dir(id), 'result');
    const manifest = readJson(join(dir, 'manifest.json'), manifestFile);
    const tensors: JobOutput['tensors'] = {};
    for (const name of manifest.tensors) {
      const a = parseNpy(readFileSync(join(dir, safeName(name))), name);
      tensors[name] = { shape: a.shape, values: a.data };
    }
    const files: Record<string, string> = {};
    for (const name of manifest.files) files[name] = readFileSync(join(dir, safeName(name)), 'utf8');
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as Record<string, unknown>;
    const history = manifest.historyRounds !== undefined && existsSync(join(dir, 'history.jsonl')) ? { history: { path: join(dir, 'history.jsonl'), rounds: manifest.historyRounds } } : {};
    return { result, tensors, files, summary: manifest.summary, ...history };
  }

  /** Deletes the oldest ended jobs beyond `keep` (their results were there for re-attaching submitters). */
  prune(keep: number): void {
    const ended = this.list().filter((j) => j.status.state !== 'accepted' && j.status.state !== 'running');
    for (const j of ended.slice(0, Math.max(0, ended.length - keep))) rmSync(this.dir(j.job.id), { recursive: true, force: true });
  }
}

/** An output's file name as a plain name in the result folder. */
function safeName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`output name '${name}' is not a plain file name`);
  return name;
}
