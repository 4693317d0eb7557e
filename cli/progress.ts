import { SingleBar } from 'cli-progress';
import type { JobProgress } from '../master';

/** A progress bar on a terminal; a log line every few seconds otherwise (CI, pipes). */
export function progressReporter(label: string): { update(p: JobProgress): void; stop(): void } {
  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      format: `${label} [{bar}] {value}/{total} {unit} | {seconds}s | {measure} {residual} | stragglers {stragglers}`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: false,
    });
    let started = false;
    let stragglers = 0;
    return {
      update(p) {
        stragglers += p.stragglers;
        const unit = p.unit ?? 'rounds';
        const payload = { unit, measure: unit === 'columns' ? 'max ‖∇f‖' : 'residual', seconds: p.seconds.toFixed(1), residual: p.residual.toExponential(2), stragglers };
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
  let lastCount = -1;
  return {
    update(p) {
      const now = Date.now();
      // Rounds: at most a line every 2 s. Columns (a long solve whose groups report when they
      // finish): a line for every group done, and one every 30 s meanwhile to show it is alive.
      if (p.unit === 'columns' ? p.round === lastCount && now - last < 30_000 : now - last < 2000) return;
      last = now;
      lastCount = p.round;
      const line =
        p.unit === 'columns'
          ? `${label}: ${p.round} of ${p.maxRounds} columns solved, ${p.seconds.toFixed(1)} s`
          : `${label}: round ${p.round}, ${p.seconds.toFixed(1)} s, residual ${p.residual.toExponential(2)}`;
      process.stderr.write(`${line}\n`);
    },
    stop() {},
  };
}
