import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveJobPaths } from '../../shared/config';
import { ClusterError, CodaError, ExitCode, InputError } from '../../shared/errors';
import type { Logger } from '../../shared/log';
import { tensorChunks, type pb } from '../../shared/wire';
import type { Cluster } from '../cluster/cluster';
import { checkJob, parseJob, runJob, type JobOutput, type JobSpec } from '../jobs';
import type { MasterMetrics } from '../metrics';
import { checkFingerprints, fingerprint, JOB_ID, sha256Hex, type JobState, type JobStateDir, type StoredJob } from '../state';
import { allowUploadDir, bindUploadPaths, uploadNamesIn, type UploadStore } from './uploads';

/** Where a job's events go: a SubmitJob or AttachJob call. */
export interface JobListener {
  event(ev: pb.JobEvent): void;
  /** Streams a file the job wrote (its history.jsonl) before the finished event; resolves once sent. */
  file?(name: string, path: string): Promise<void>;
  /** Sends an event on the call's flow control (the solution's tensor chunks); resolves once it may send more. */
  send?(ev: pb.JobEvent): Promise<void>;
  /** The job ended (after its finished or failed event). */
  end(): void;
}

/** How a job ended: its output, or one line and the exit code it calls for. */
export type JobEnding = { type: 'finished'; out: JobOutput<Record<string, unknown>> } | { type: 'failed'; message: string; exitCode: number; errorClass?: string };
type Ending = JobEnding;

/** A job this master holds: waiting for workers, queued, running, or ended with its outcome. */
export class ManagedJob {
  state: JobState = 'accepted';
  /** What it does now, in words (a re-attaching submitter is told first). */
  doing = 'accepted';
  ending: Ending | undefined;
  readonly listeners = new Set<JobListener>();
  readonly abort = new AbortController();
  /** Ended because CancelJob asked. */
  cancelled = false;
  /** The folder of the arrays uploaded with the job (UploadArrays): the job's own, deleted when it ends. */
  uploadDir: string | undefined;
  private settle: ((e: JobEnding) => void) | undefined;
  /** Resolves when the job ends (at once for one that has). */
  readonly ended: Promise<JobEnding> = new Promise((r) => (this.settle = r));

  constructor(
    readonly id: string,
    readonly yamlSha256: string,
    /** A previous master accepted it; this one resumes it. */
    readonly resumed: boolean,
  ) {}

  /** Records the ending (once). */
  finish(e: JobEnding): void {
    this.ending = e;
    this.settle?.(e);
    this.settle = undefined;
  }

  private temp: string | undefined;

  /** A temporary folder of this job's (its history without a state folder), removed with dropFiles. */
  tempDir(): string {
    this.temp ??= mkdtempSync(join(tmpdir(), `coda-job-`));
    return this.temp;
  }

  dropFiles(): void {
    if (this.temp) rmSync(this.temp, { recursive: true, force: true });
    this.temp = undefined;
  }

  emit(ev: pb.JobEvent): void {
    for (const l of [...this.listeners]) l.event(ev);
  }

  /** The job's log lines so far (the last LOG_KEPT): a listener attaching late hears them first. */
  readonly logLines: string[] = [];

  log(line: string): void {
    this.doing = line;
    this.logLines.push(line);
    if (this.logLines.length > LOG_KEPT) this.logLines.shift();
    this.emit({ log: line });
  }
}

export interface JobManagerOptions {
  cluster: Cluster;
  metrics: MasterMetrics;
  log: Logger;
  /** The data root (--data-dir): a submitted job's relative paths resolve there, and no path may lead out of it. */
  dataDir: string;
  /** The data root's check on a resolved path (dataRootCheck): throws PermissionError outside it. */
  inDataRoot: (abs: string, key: string) => void;
  /** How long a job waits for its `workers` to be alive before it fails. */
  workerWaitSeconds: number;
  waitForWorkers(n: number, timeoutMs: number): Promise<void>;
  /** Keeps each accepted job, its checkpoints and its result (`--state DIR`); absent: jobs live in memory only. */
  stateDir?: JobStateDir;
  /** Arrays uploaded for jobs (UploadArrays); a submission names one by its id. */
  uploads?: UploadStore;
}

/** Log lines a job keeps for listeners that attach late. */
const LOG_KEPT = 20;

/** Ended jobs kept (in memory, and in the state folder) for submitters that re-attach. */
const ENDED_KEPT = 32;

/**
 * The master's jobs, apart from any call: SubmitJob accepts a job and listens to it, AttachJob
 * listens to a known one, CancelJob stops one. A job runs to its end whether or not anyone
 * listens, so a submitter that lost its stream (a network blip, a master restart) re-attaches and
 * gets the result. With a state folder, every accepted job is kept on disk with its checkpoints, and a
 * master started on the same folder resumes the jobs that were not done (`recover`).
 */
export class JobManager {
  private readonly jobs = new Map<string, ManagedJob>();
  private stopping = false;

  constructor(private readonly o: JobManagerOptions) {}

  /**
   * Accepts a job (parsed and checked: an InputError here is the submitter's to fix) or, when
   * `requestedId` names a job this master holds, returns that one: a retried submission attaches
   * instead of running twice. `workers` overrides the job's own worker count (coda master --job).
   */
  submit(yaml: string, requestedId: string, opts: { workers?: number; origin?: StoredJob['origin']; baseDir?: string; uploadId?: string } = {}): ManagedJob {
    if (this.stopping) throw new ClusterError('the master is shutting down');
    if (requestedId !== '' && !JOB_ID.test(requestedId)) throw new InputError(`job id '${requestedId}' is not valid (letters, digits, '.', '_', '-'; at most 64, not starting with a punctuation mark)`);
    // The upload is part of what the job is: a retry with the same id and upload attaches.
    const hash = opts.uploadId ? sha256Hex(`${yaml}\0upload:${opts.uploadId}`) : sha256Hex(yaml);
    if (requestedId !== '') {
      const known = this.find(requestedId);
      if (known) {
        if (known.yamlSha256 !== hash) throw new InputError(`job id '${requestedId}' is taken by a job with another text`);
        return known;
      }
    }
    const origin = opts.origin ?? 'submitted';
    const baseDir = opts.baseDir ?? this.o.dataDir;
    if (opts.uploadId && !this.o.uploads) throw new InputError('this master takes no uploads');
    // From here the upload is this submission's: refused, it is deleted at once.
    const uploadDir = opts.uploadId ? this.o.uploads!.claim(opts.uploadId).dir : undefined;
    let spec: JobSpec;
    let workers: number;
    let id: string;
    try {
      ({ spec, workers } = this.prepare(yaml, origin, baseDir, opts.workers, uploadDir));
      id = requestedId || `${spec.job}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
      this.o.stateDir?.create({
        id,
        submittedAt: new Date().toISOString(),
        yaml,
        yamlSha256: hash,
        baseDir,
        workers,
        origin,
        // The uploaded files are the master's own: nobody changes them under a resumed job.
        data: dataFiles(spec)
          .filter((f) => !uploadDir || !f.startsWith(uploadDir))
          .map(fingerprint),
        ...(uploadDir ? { uploadDir } : {}),
      });
    } catch (e) {
      if (uploadDir) {
        this.o.uploads!.drop(uploadDir);
        if (e instanceof Error) e.message = uploadNamesIn(e.message, uploadDir);
      }
      throw e;
    }
    const job = new ManagedJob(id, hash, false);
    job.uploadDir = uploadDir;
    this.track(job);
    void this.run(job, spec, workers);
    return job;
  }

  /** The job by id: running or ended in this process, or ended and kept in the state folder. */
  find(id: string): ManagedJob | undefined {
    const live = this.jobs.get(id);
    if (live) return live;
    const stored = this.o.stateDir && JOB_ID.test(id) ? this.o.stateDir.get(id) : undefined;
    if (!stored) return undefined;
    // Ended under a previous master (the unfinished ones were resumed at start): its outcome from disk.
    const job = new ManagedJob(id, stored.job.yamlSha256, true);
    job.state = stored.status.state;
    if (stored.status.state === 'finished') {
      try {
        job.finish({ type: 'finished', out: this.o.stateDir!.loadResult(id) });
      } catch (e) {
        job.finish({ type: 'failed', message: `job ${id} finished but its stored result cannot be read: ${(e as Error).message}`, exitCode: ExitCode.cluster });
      }
    } else {
      job.finish({ type: 'failed', message: stored.status.message ?? `job ${id} ${stored.status.state}`, exitCode: stored.status.exitCode ?? ExitCode.cluster });
    }
    this.track(job);
    return job;
  }

  /**
   * Adds a listener: it hears the job's state now (accepted, what it is doing), then every event
   * until the job ends; a job already ended answers at once. Returns the function that removes it.
   */
  attach(job: ManagedJob, l: JobListener): () => void {
    l.event({ accepted: { jobId: job.id, resumed: job.resumed } });
    if (job.ending) {
      void deliver(l, job.ending);
      return () => {};
    }
    // The job may have said things before this listener came (SubmitJob attaches right after
    // accepting; a submitter re-attaching missed what happened meanwhile).
    for (const line of job.logLines) l.event({ log: line });
    l.event({ log: `job ${job.id}: ${job.doing}` });
    job.listeners.add(l);
    return () => job.listeners.delete(l);
  }

  /** Stops a job; false when it had ended (or is unknown). */
  cancel(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job || job.ending) return false;
    job.cancelled = true;
    job.abort.abort();
    return true;
  }

  /**
   * Resumes every stored job that was accepted or running when the last master stopped, in the
   * order they were accepted, each from its last checkpoint once its workers are back; prunes
   * old ended jobs. Returns the ids resumed.
   */
  recover(): string[] {
    const stateDir = this.o.stateDir;
    if (!stateDir) return [];
    stateDir.prune(ENDED_KEPT);
    const resumed: string[] = [];
    for (const { job: stored, status } of stateDir.list()) {
      if (status.state !== 'accepted' && status.state !== 'running') continue;
      const job = new ManagedJob(stored.id, stored.yamlSha256, true);
      job.uploadDir = stored.uploadDir;
      this.track(job);
      resumed.push(stored.id);
      let spec: JobSpec;
      try {
        ({ spec } = this.prepare(stored.yaml, stored.origin, stored.baseDir, stored.workers, stored.uploadDir));
        checkFingerprints(stored.data);
      } catch (e) {
        this.end(job, { type: 'failed', message: `job ${stored.id} cannot be resumed: ${(e as Error).message}`, exitCode: exitCodeOf(e) });
        continue;
      }
      this.o.log.info({ job: stored.id, kind: spec.job, workers: stored.workers }, 'resuming a job accepted by a previous master');
      void this.run(job, spec, stored.workers);
    }
    // Uploads of jobs that ended (or were never submitted) under the last master are nobody's now.
    this.o.uploads?.sweep(new Set([...this.jobs.values()].filter((j) => !j.ending && j.uploadDir).map((j) => j.uploadDir!)));
    return resumed;
  }

  /**
   * Stops every job without recording an outcome: with a state folder they stay unfinished on disk and
   * the next master resumes them (a rollout, SIGTERM); without one they are lost with this process.
   */
  stop(): void {
    this.stopping = true;
    for (const job of this.jobs.values()) {
      job.dropFiles();
      // Without a state folder nobody resumes the job: its uploaded arrays go with it.
      if (!this.o.stateDir && job.uploadDir) this.o.uploads?.drop(job.uploadDir);
      if (job.ending) continue;
      job.abort.abort();
      for (const l of job.listeners) l.end();
      job.listeners.clear();
    }
  }

  /**
   * Parsed, paths resolved, checked against its worker count: throws InputError for a job that
   * cannot run. A submitted job reads data only under the data root; the master's own --job
   * (the operator's file) resolves against its own folder.
   */
  private prepare(yaml: string, origin: StoredJob['origin'], baseDir: string, workersOverride?: number, uploadDir?: string): { spec: JobSpec; workers: number } {
    const what = origin === 'master-job' ? 'job file' : 'submitted job';
    const parsed = resolveJobPaths(bindUploadPaths(parseJob(yaml, what), uploadDir, what), baseDir, what, origin === 'master-job' ? undefined : allowUploadDir(uploadDir, this.o.inDataRoot));
    const spec = workersOverride !== undefined ? { ...parsed, workers: workersOverride } : parsed;
    checkJob(spec, spec.workers);
    return { spec, workers: spec.workers };
  }

  private track(job: ManagedJob): void {
    this.jobs.set(job.id, job);
    const ended = [...this.jobs.values()].filter((j) => j.ending);
    for (const j of ended.slice(0, Math.max(0, ended.length - ENDED_KEPT))) {
      this.jobs.delete(j.id);
      j.dropFiles();
    }
  }

  private async run(job: ManagedJob, spec: JobSpec, workers: number): Promise<void> {
    const { cluster, stateDir } = this.o;
    const signal = job.abort.signal;
    try {
      const alive = (): number => cluster.liveWorkers().length;
      if (alive() < workers) {
        // The submitter may start with the cluster (a Kubernetes Job beside the StatefulSet), and
        // a restarted master waits for its workers to come back.
        job.log(`waiting up to ${this.o.workerWaitSeconds} s for ${workers} workers (${alive()} alive)`);
        await Promise.race([
          this.o.waitForWorkers(workers, this.o.workerWaitSeconds * 1000),
          new Promise((_, reject) => signal.addEventListener('abort', () => reject(new ClusterError('cancelled while waiting for workers')), { once: true })),
        ]);
      }
      const q = cluster.jobs();
      if (q.running) job.log(`queued: ${q.queued.length + 1} job(s) ahead (running ${q.running.id}); jobs on one master run one at a time`);
      // The job's `workers`, not every live worker: the lowest live indices, said out loud.
      const live = cluster.liveWorkers().sort((a, b) => a - b);
      const use = live.slice(0, workers);
      if (live.length > use.length) job.log(`using ${use.length} of the ${live.length} live workers (the job's workers: ${workers}): ${use.join(', ')}`);
      const checkpoint = stateDir?.checkpoint(job.id, spec.job, job.resumed);
      if (checkpoint && job.resumed) {
        job.log(checkpoint.savedRound !== undefined ? `resumed after a master restart from its checkpoint at round ${checkpoint.savedRound}` : 'restarted from the beginning after a master restart (no checkpoint yet)');
      }
      // The per-round history streams to a file as the job runs (kept in the state folder with the
      // result; in a temporary folder without one) and goes to the submitter before the result.
      const historyPath = stateDir ? stateDir.historyPath(job.id) : join(job.tempDir(), 'history.jsonl');
      job.state = 'running';
      job.doing = 'running';
      stateDir?.setStatus(job.id, { state: 'running', at: new Date().toISOString() });
      const out = await runJob(spec, {
        cluster,
        workers: use,
        metrics: this.o.metrics,
        log: this.o.log.child({ job: job.id }),
        signal,
        jobId: job.id,
        historyPath,
        ...(checkpoint ? { checkpoint } : {}),
        onProgress: (p) => job.emit({ progress: { round: String(p.round), elapsedSeconds: p.seconds, residual: p.residual, stragglers: p.stragglers } }),
      });
      if (this.stopping) return;
      this.end(job, { type: 'finished', out: out as JobOutput<Record<string, unknown>> });
    } catch (e) {
      if (this.stopping) return;
      this.end(job, { type: 'failed', message: uploadNamesIn((e as Error).message, job.uploadDir), exitCode: exitCodeOf(e), ...(e instanceof CodaError ? { errorClass: e.name } : {}) });
    }
  }

  /** Records the outcome (in the state folder first), tells the listeners, lets them go. */
  private end(job: ManagedJob, ending: Ending): void {
    const stateDir = this.o.stateDir;
    const at = new Date().toISOString();
    try {
      if (ending.type === 'finished') {
        stateDir?.saveResult(job.id, ending.out);
        if (job.cancelled) stateDir?.setStatus(job.id, { state: 'cancelled', at });
      } else {
        stateDir?.setStatus(job.id, { state: job.cancelled ? 'cancelled' : 'failed', at, message: ending.message, exitCode: ending.exitCode });
      }
    } catch (e) {
      this.o.log.error({ job: job.id, err: (e as Error).message }, 'cannot record the job\'s outcome in the state folder');
    }
    job.state = ending.type === 'failed' ? 'failed' : job.cancelled ? 'cancelled' : 'finished';
    job.finish(ending);
    if (job.uploadDir) this.o.uploads?.drop(job.uploadDir);
    if (ending.type === 'failed') this.o.log.warn({ job: job.id, err: ending.message }, 'job failed');
    for (const l of [...job.listeners]) void deliver(l, ending);
    job.listeners.clear();
  }
}

function exitCodeOf(e: unknown): number {
  return e instanceof CodaError ? e.exitCode : ExitCode.internal;
}

/**
 * Tells a listener how the job ended: its history file first (when it has one), then the solution
 * tensors in chunks (on the call's flow control), then the event, then the end.
 */
async function deliver(l: JobListener, e: Ending): Promise<void> {
  try {
    if (e.type === 'finished') {
      if (e.out.history && l.file) await l.file('history.jsonl', e.out.history.path);
      const send = l.send?.bind(l) ?? ((ev: pb.JobEvent) => Promise.resolve(l.event(ev)));
      for (const [name, t] of Object.entries(e.out.tensors)) for (const c of tensorChunks(name, t.shape, t.values)) await send({ tensorChunk: c });
    }
    l.event(endingEvent(e));
  } catch (err) {
    l.event({ failed: { message: `cannot send the job's history.jsonl: ${(err as Error).message}`, exitCode: ExitCode.cluster } });
  }
  l.end();
}

function endingEvent(e: Ending): pb.JobEvent {
  if (e.type === 'failed') return { failed: { message: e.message, exitCode: e.exitCode, errorClass: e.errorClass ?? '' } };
  return { finished: { resultJson: JSON.stringify(e.out.result), summary: e.out.summary, files: e.out.files ?? {} } };
}

/** The files a job reads (its data paths, resolved): fingerprinted when accepted, checked when resumed. */
function dataFiles(spec: JobSpec): string[] {
  const out: string[] = [];
  const walk = (node: unknown, key: string): void => {
    if (key === 'synthetic') return;
    if (typeof node === 'string') out.push(node);
    else if (node && typeof node === 'object' && !Array.isArray(node)) for (const [k, v] of Object.entries(node)) walk(v, k);
  };
  walk(spec.data, 'data');
  return out;
}
