import { faultStep, ScheduleRunner, type ChaosStep, type FaultEvent } from '../../shared/chaos';
import { applyChaos, type ChaosVerb } from './actions';
import { listCluster, pickTarget } from './docker';

/**
 * Runs a job's chaos schedule against a docker cluster. Two ways to learn the round:
 * - from the round loop: call `beforeRound(round)` before each round is sent (exact, the hook
 *   the master's job runner can call when the executor runs beside it);
 * - from outside: `followMetrics(url)` polls the master's /metrics for coda_rounds_total
 *   (what `coda chaos schedule` does against a compose cluster; round-accurate to the poll).
 */

export type StepLogger = (line: string) => void;

export class DockerScheduleExecutor extends ScheduleRunner {
  constructor(
    events: readonly FaultEvent[],
    private readonly cluster: string,
    private readonly log: StepLogger = () => undefined,
  ) {
    super(events);
  }

  protected async execute(step: ChaosStep): Promise<string> {
    const members = await listCluster(this.cluster);
    const { verb, worker, event: e } = faultStep(step) as { verb: ChaosVerb; worker: number; event: FaultEvent };
    const target = pickTarget(members, String(worker), this.cluster);
    const line = await applyChaos(verb, target, {
      ...('rate' in e ? { rate: e.rate } : {}),
      ...('probability' in e ? { probability: e.probability } : {}),
      ...(verb === 'partition' ? { master: members.find((m) => m.role === 'master')! } : {}),
    });
    this.log(`[chaos t=${this.seconds().toFixed(1)}s] ${line}`);
    return line;
  }
}

/** Sum of coda_rounds_total over its label sets in a Prometheus text exposition. */
export function roundsFromMetrics(text: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^coda_rounds_total(?:\{[^}]*\})?\s+([0-9.eE+-]+)/.exec(line);
    if (m) total += Number(m[1]);
  }
  return total;
}

/**
 * Polls the master's /metrics and feeds the executor the round in progress, until every event
 * has fired and been undone, or `signal` aborts. Resolves with the last round seen.
 */
export async function followMetrics(
  executor: DockerScheduleExecutor,
  metricsUrl: string,
  opts: { intervalMs?: number; signal?: AbortSignal } = {},
): Promise<number> {
  const interval = opts.intervalMs ?? 100;
  let round = 0;
  while (!executor.done && !opts.signal?.aborted) {
    try {
      const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(2000) });
      if (res.ok) round = roundsFromMetrics(await res.text());
    } catch {
      // The master may not be up yet, or be restarting; keep polling.
    }
    // Rounds decoded so far = round; the next to start is round (0-based) -> "at round N" fires
    // once N rounds are done.
    await executor.beforeRound(round);
    await new Promise((r) => setTimeout(r, interval));
  }
  if (opts.signal?.aborted) await executor.finish();
  return round;
}
