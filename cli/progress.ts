import { SingleBar } from 'cli-progress';
import type { JobProgress } from '../master';

/** A progress bar on a terminal; a log line every few seconds otherwise (CI, pipes). */
export function progressReporter(label: string): { update(p: JobProgress): void; stop(): void } {
  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      format: `${label} [{bar}] {value}/{total} rounds | {seconds}s | residual {residual} | stragglers {stragglers}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
    });
    let started = false;
    let stragglers = 0;
    return {
      update(p) {
        stragglers += p.stragglers;
        const payload = { seconds: p.seconds.toFixed(1), residual: p.residual.toExponential(2), stragglers };
        if (!started) {
          bar.start(p.maxRounds, p.round, payload);
          started = true;
        } else bar.update(p.round, payload);
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = 0;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < 2000) return;
      last = now;
      process.stderr.write(`${label}: round ${p.round}, ${p.seconds.toFixed(1)} s, residual ${p.residual.toExponential(2)}\n`);
    },
    stop() {},
  };
}
