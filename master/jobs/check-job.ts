import { availableMemory } from 'node:process';
import { freemem } from 'node:os';
import { InputError } from '../../shared/errors';
import { checkScheduleWorkers, checkWorkerIndices, parseChaosSchedule, readDelayTrace, traceStreamFor, type DelaySpec } from '../../shared/chaos';
import { matrixShape } from '../../shared/tensor';
import type { CheckContext, Footprint, KindCheck } from './check-types';
import { JOB_KINDS } from './kinds';
import type { JobSpec } from './job-schema';

export interface CheckOptions {
  /**
   * The workers run on this machine (a local cluster): their stored blocks count against its
   * memory too. False for a job submitted to a master whose workers are elsewhere.
   */
  local?: boolean;
  /** Bytes of memory the job may use (default: what the OS says is available). */
  availableBytes?: number;
  /**
   * False when the job runs elsewhere (coda run --master): its data paths are the master's, so
   * only what needs no data is checked here (the schema, the scheme against the workers); the
   * master checks the rest when the job arrives. Default true.
   */
  here?: boolean;
}

export interface JobCheckResult {
  footprint: Footprint;
  /** Bytes the check counted against the machine's memory. */
  bytes: number;
}

/** Bytes this process may still allocate: the OS's available memory, within a cgroup's limit. */
export function machineAvailableBytes(): number {
  // process.availableMemory (Node ≥ 20.13) takes the cgroup limit into account.
  return typeof availableMemory === 'function' ? availableMemory() : freemem();
}

export function formatBytes(b: number): string {
  if (b >= 1e12) return `${(b / 1e12).toFixed(1)} TB`;
  if (b >= 1e9) return `${(b / 1e9).toFixed(1)} GB`;
  if (b >= 1e6) return `${(b / 1e6).toFixed(0)} MB`;
  return `${Math.max(1, Math.round(b / 1e3))} kB`;
}

/**
 * The one validation path, run before any worker starts (coda run, coda master --job, SubmitJob,
 * coda experiment, coda invert): the kind's checks (data shapes from .npy headers, the scheme's
 * parameters against `workers`, the kind's own rules), the worker indices its chaos names, then resource sanity (the data's
 * footprint against the machine's memory). Throws InputError (exit 2) with one line naming the
 * problem; reads no data beyond file headers.
 */
export function checkJob(job: JobSpec, workers: number, opts: CheckOptions = {}): JobCheckResult {
  if (!Number.isInteger(workers) || workers < 1) throw new InputError(`${job.job}: needs at least one worker, got ${workers}`);
  const here = opts.here ?? true;
  const ctx: CheckContext = { workers, shape: (path) => (here ? matrixShape(path) : undefined) };
  // As in runJob: the table's entry is the job's own kind (checked per kind by kinds.ts's `satisfies`).
  const check = JOB_KINDS[job.job].check as KindCheck<JobSpec>;
  const footprint = check(job, ctx);
  // Chaos aimed at a worker the job will not have would apply to no one, silently.
  if (job.chaos.workers) checkWorkerIndices(job.chaos.workers, workers, 'chaos.workers');
  checkScheduleWorkers(parseChaosSchedule(job.chaos.schedule), workers);
  if (here) checkDelayTrace(job.chaos.delay, workers);
  const bytes = 8 * (footprint.master + (opts.local ? footprint.workers : 0));
  const available = opts.availableBytes ?? machineAvailableBytes();
  if (here && bytes > available) {
    throw new InputError(
      `${job.job}: ${footprint.what} needs about ${formatBytes(bytes)} of memory (float64 data at the master${opts.local ? ' and its copies on the local workers' : ''}), ` +
        `this machine has ${formatBytes(available)} available; use a smaller problem or a larger machine`,
    );
  }
  return { footprint, bytes };
}

/**
 * A replayed trace is read at the master before anything starts: a bad row (empty, non-numeric,
 * negative) is an InputError naming the file, the line and the column; every worker's stream is
 * cut once, so a trace too long for one message is refused here too.
 */
function checkDelayTrace(delay: DelaySpec, workers: number): void {
  if (delay.dist !== 'trace' || !delay.file) return;
  const trace = readDelayTrace(delay.file);
  for (let w = 0; w < workers; w++) traceStreamFor(trace, w, workers);
}
