import { performance } from 'node:perf_hooks';
import { NO_FAULTS, type DelaySpec } from '../shared/chaos';
import { ChaosInjector } from '../worker/chaos-injector';
import { fmtSpread, spread, type Spread } from './report';

/**
 * `npm run bench -- sleeps`: how long a worker's injected delays really last. Each draw of a delay
 * model is slept twice, interleaved: as a worker sleeps it (ChaosInjector: whole-millisecond
 * timers with a seeded dither, set early by the event loop's learnt lateness) and as a plain
 * `setTimeout(ms)` (what the workers did before: Node cuts the fraction off and fires late). The
 * figure: mean time slept / mean delay drawn, per model; `repeats` runs of `sleeps` draws each,
 * median (min–max) over runs. The anchor is the draws themselves (1.00 is exact).
 */
const CASES: { label: string; delay: DelaySpec }[] = [
  { label: 'exponential, mean 2.08 ms', delay: { dist: 'exponential', rate: 480 } },
  { label: 'constant 0.4 ms', delay: { dist: 'constant', value: 0.0004 } },
  { label: 'constant 10 ms', delay: { dist: 'constant', value: 0.01 } },
];

export interface SleepRow {
  model: string;
  drawnMs: Spread;
  calibratedMs: Spread;
  plainMs: Spread;
  calibratedOverDrawn: Spread;
  plainOverDrawn: Spread;
}

const plainSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function benchSleeps(opts: { repeats?: number; sleeps?: number } = {}): Promise<{ repeats: number; sleeps: number; rows: SleepRow[] }> {
  const repeats = opts.repeats ?? 5;
  const sleeps = opts.sleeps ?? 400;
  const never = new AbortController().signal;
  const rows: SleepRow[] = [];
  for (const c of CASES) {
    const chaos = new ChaosInjector();
    chaos.configure({ jobId: 'sleeps', delay: c.delay, fault: NO_FAULTS, seed: 1, cores: 1 });
    const drawn: number[] = [];
    const calibrated: number[] = [];
    const plain: number[] = [];
    for (let rep = 0; rep < repeats; rep++) {
      let d = 0;
      let cal = 0;
      let pl = 0;
      for (let i = 0; i < sleeps; i++) {
        const { delay } = chaos.next(`${rep}:${i}`, 1);
        d += delay;
        let t = performance.now();
        await chaos.sleep(delay, never);
        cal += performance.now() - t;
        t = performance.now();
        await plainSleep(delay * 1000);
        pl += performance.now() - t;
      }
      drawn.push((1000 * d) / sleeps);
      calibrated.push(cal / sleeps);
      plain.push(pl / sleeps);
    }
    rows.push({
      model: c.label,
      drawnMs: spread(drawn),
      calibratedMs: spread(calibrated),
      plainMs: spread(plain),
      calibratedOverDrawn: spread(calibrated.map((x, i) => x / drawn[i]!)),
      plainOverDrawn: spread(plain.map((x, i) => x / drawn[i]!)),
    });
  }
  return { repeats, sleeps, rows };
}

export function printSleeps(r: Awaited<ReturnType<typeof benchSleeps>>): void {
  console.log(`\nInjected delays: mean time slept a draw, as a worker sleeps it (calibrated) and as a plain setTimeout, interleaved; medians of ${r.repeats} runs of ${r.sleeps} draws (min–max)`);
  console.table(
    r.rows.map((x) => ({
      model: x.model,
      'drawn ms': fmtSpread(x.drawnMs),
      'calibrated ms': fmtSpread(x.calibratedMs),
      'calibrated / drawn': fmtSpread(x.calibratedOverDrawn),
      'plain setTimeout ms': fmtSpread(x.plainMs),
      'plain / drawn': fmtSpread(x.plainOverDrawn),
    })),
  );
}
