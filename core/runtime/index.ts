/**
 * The runtime model learned online (issue 16): per worker and for the cluster, a shifted
 * exponential and the empirical distribution of the slowdown (seconds per unit of work), with
 * change detection. Pure: rounds and times are inputs.
 *
 *   const model = new RuntimeModel();
 *   const changes = model.observeRound(round, outcome.tasks.map(t => ({ worker, work, seconds, censored })));
 *   const snap = model.snapshot();            // what the round-time predictor draws from
 *   result.runtime = model.summary();         // for result.json
 */
export { RuntimeModel, RuntimeSnapshot, type RuntimeModelOptions, type ChangeEvent, type RuntimeSummary, type DistributionSummary } from './runtime-model';
export { roundSamples, timingsFromRound, roundOverhead, type TaskTiming, type AnswerTiming, type WorkerRoundSample, type Execution } from './samples';
export {
  fitShiftedExponential,
  type ShiftedExponentialFit,
  type TimeSample,
} from './shifted-exponential';
export { EmpiricalDistribution, medianOf } from './empirical';
export { priorSamples } from './prior';
export { ChangeDetector, gehanTest, permutationP, twoSidedNormalP, type ChangeDetectorOptions, type ChangeCheck } from './change-detector';
export {
  taskFlops,
  taskWork,
  leastSquaresReference,
  logisticReference,
  inverseReference,
  eigenproReference,
  type BlockShape,
  type TaskShape,
} from './task-flops';
