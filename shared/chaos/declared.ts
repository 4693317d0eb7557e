import type { DelaySpec, DelayUnit } from './delay';
import { isDelayChange, parseChaosSchedule } from './schedule';
import { readDelayTrace, traceStreamFor } from './trace';

/**
 * What a job declares of its workers' delays when it starts: the model of the injected delays
 * that the master knows (an adaptive policy takes it as its prior). Worker w's delay is
 * `chaos.delay` (a replayed trace cut into w's own stream, as the session sends it), `none` for a
 * worker outside `chaos.workers`, and whatever a schedule's `set delay` at round 0 or 1 puts in
 * force before the first round. Later schedule steps are not declared here: they are changes the
 * run must notice, not a model to start from.
 */
export interface DeclaredDelays {
  /** chaos.delay.per: one draw per worker and round (tasks one after another), or per task. */
  per: DelayUnit;
  /** Worker w's delay distribution at the start (seconds per unit of work). */
  delayOf(worker: number): DelaySpec;
}

export interface DeclaredChaos {
  delay: DelaySpec;
  workers?: readonly number[] | undefined;
  schedule?: readonly unknown[] | undefined;
}

/**
 * The delays `chaos` puts on `jobWorkers` at the job's start. Reads a trace file as the session
 * does (an InputError names a bad one); undefined when the job declares no delay at all.
 */
export function declaredDelays(chaos: DeclaredChaos, jobWorkers: readonly number[]): DeclaredDelays | undefined {
  const byWorker = new Map<number, DelaySpec>();
  const only = chaos.workers ? new Set(chaos.workers) : undefined;
  const base = chaos.delay;
  // A trace: worker i of the job replays its own column from its offset (what JobSession sends it).
  const trace = base.dist === 'trace' && !base.stream && base.file ? { spec: base, values: readDelayTrace(base.file) } : undefined;
  jobWorkers.forEach((w, i) => {
    const d: DelaySpec = trace ? { ...trace.spec, stream: traceStreamFor(trace.values, i, jobWorkers.length) } : base;
    byWorker.set(w, only && !only.has(w) ? { dist: 'none' } : d);
  });
  for (const e of parseChaosSchedule(chaos.schedule)) {
    if (!isDelayChange(e) || !('round' in e.at) || e.at.round > 1) continue;
    for (const w of e.workers ?? jobWorkers) if (byWorker.has(w)) byWorker.set(w, e.delay);
  }
  if ([...byWorker.values()].every((d) => d.dist === 'none')) return undefined;
  return { per: base.per ?? 'worker-round', delayOf: (w) => byWorker.get(w) ?? { dist: 'none' } };
}
