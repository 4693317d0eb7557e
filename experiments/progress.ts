import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { PlannedRun } from './expand';
import { runMetrics, type RunRecord } from './record';
import type { ExperimentEvents } from './runner';

/**
 * Progress of an experiment: on a terminal, one bar for the whole matrix and one for the run in
 * progress (rounds); otherwise plain log lines (a line per run, and one every few seconds).
 */
export function experimentProgress(stream: NodeJS.WriteStream = process.stderr): ExperimentEvents & { stop(): void } {
  const fmtEnd = (rec: RunRecord): string => {
    const m = runMetrics(rec.result, []);
    return `${m.rounds ?? '?'} rounds, ${m.wallSeconds?.toFixed(2) ?? '?'} s, ${m.errorMeasure ?? 'error'} ${m.finalError?.toExponential(2) ?? '?'}, stragglers cut off ${m.stragglersCutOff ?? 0}`;
  };
  if (stream.isTTY) {
    const multi = new MultiBar(
      { stream, hideCursor: true, clearOnComplete: false, format: '{label} [{bar}] {value}/{total} {unit} {info}' },
      Presets.shades_classic,
    );
    let overall: SingleBar | undefined;
    let current: SingleBar | undefined;
    let stragglers = 0;
    return {
      onPlan(total, done) {
        overall = multi.create(total, done, { label: 'experiment'.padEnd(44), unit: 'runs', info: done ? `(${done} already done)` : '' });
      },
      onRunStart(run) {
        stragglers = 0;
        current?.stop();
        if (current) multi.remove(current);
        current = multi.create(Math.max(1, run.job.stop.maxRounds), 0, { label: run.id.slice(0, 44).padEnd(44), unit: 'rounds', info: '' });
      },
      onRunProgress(_run, p) {
        stragglers += p.stragglers;
        current?.update(p.round, { info: `| ${p.seconds.toFixed(1)} s | error ${p.residual.toExponential(2)} | stragglers ${stragglers}` });
      },
      onRunEnd(_run, rec, position) {
        current?.setTotal(Math.max(1, runMetrics(rec.result, []).rounds ?? 1));
        current?.update(runMetrics(rec.result, []).rounds ?? 1);
        overall?.update(position, { info: '' });
      },
      stop() {
        multi.stop();
      },
    };
  }
  let last = 0;
  return {
    onPlan(total, done) {
      stream.write(`experiment: ${total} runs${done ? `, ${done} already done (resuming)` : ''}\n`);
    },
    onRunStart(run: PlannedRun, position, total) {
      stream.write(`[${position}/${total}] ${run.id} ...\n`);
    },
    onRunProgress(run, p) {
      const now = Date.now();
      if (now - last < 5000) return;
      last = now;
      stream.write(`  ${run.id}: round ${p.round}, ${p.seconds.toFixed(1)} s, error ${p.residual.toExponential(2)}\n`);
    },
    onRunEnd(run, rec, position, total) {
      stream.write(`[${position}/${total}] ${run.id}: ${fmtEnd(rec)}\n`);
    },
    stop() {},
  };
}
