import type { PlannedRun, RunExecutor } from '../../../experiments';

export const SMALL = `
name: unit
base:
  job: least-squares
  data: { synthetic: { kind: gaussian, rows: 100, cols: 5, seed: 1 } }
  stop: { tol: 1.0e-6, maxRounds: 50 }
matrix:
  schemes: [wait-all, { name: frc, stragglers: 1 }]
  chaos:
    none: {}
    lambda-tail: { delay: { dist: lambda-tail, base: 0.01 } }
  seeds: [1, 2, 3]
  workers: [4]
targets: [1.0e-2, 1.0e-4]
`;

/**
 * A deterministic stand-in for a cluster: each run's "history" is a function of its parameters,
 * so two experiments over the same matrix must write byte-identical tables.
 */
export function fakeExecutor(calls: string[], opts: { abortAfter?: number; abort?: AbortController } = {}): RunExecutor {
  return {
    async run(run: PlannedRun, { onProgress, signal }) {
      calls.push(run.id);
      const slow = run.params.chaos === 'none' ? 1 : 1.5 + 0.1 * run.params.seed;
      const perRound = (run.params.schemeName === 'frc' ? 0.008 : 0.01) * slow;
      const history = [];
      for (let r = 1; r <= 12; r++) {
        if (opts.abortAfter !== undefined && calls.length > opts.abortAfter && r === 6) {
          opts.abort?.abort();
        }
        if (signal?.aborted) return { stoppedBy: 'signal', rounds: r - 1, history };
        const stragglers = run.params.schemeName === 'frc' ? [(r + run.params.seed) % 4] : [];
        history.push({
          round: r,
          seconds: r * perRound,
          relGradient: 0.3 ** r,
          roundSeconds: perRound,
          stragglers,
          arrivals: [0, 1, 2, 3].filter((w) => !stragglers.includes(w)).map((w) => ({ worker: w, seconds: perRound * (0.5 + w / 8) })),
        });
        onProgress?.({ round: r, maxRounds: 12, seconds: r * perRound, residual: 0.3 ** r, stragglers: stragglers.length });
        await Promise.resolve();
      }
      return {
        stoppedBy: 'tol', rounds: 12, wallSeconds: 12 * perRound, placementSeconds: 0.001, relGradient: 0.3 ** 12, relResidual: 0.01,
        relErrorVsDirect: 1e-7, stragglersCutOff: history.reduce((a, h) => a + h.stragglers.length, 0), roundsWithStragglers: 0, backupsLaunched: 0,
        bytesPlaced: run.params.schemeName === 'frc' ? 8000 : 4000, workers: run.params.workers, history,
      };
    },
    async close() {},
  };
}
