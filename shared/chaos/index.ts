/**
 * Seeded stragglers: delays (one slowdown per worker and round times each task's work, or per
 * task) and faults that workers apply.
 *
 *   const sample = makeDelaySampler({ dist: 'lambda-tail', base: 0.01 }, new Rng(seed));
 *   await sleep(sample());
 */
export { type DelaySpec, type DelayDistribution, type DelayUnit, type DelayWork, DELAY_UNITS, DELAY_WORK, LAMBDA_TAIL, makeDelaySampler, validateDelay, delayMean } from './delay';
export type { DelaySampler } from './sampler';
export { type FaultSpec, type FaultDecision, NO_FAULTS, decideFault } from './faults';
export {
  CHAOS_ACTIONS,
  CHAOS_REVERTS,
  type ChaosActionName,
  type ChaosRevertName,
  type ChaosEvent,
  type FaultEvent,
  type DelayChangeEvent,
  type ChaosStep,
  isDelayChange,
  faultStep,
  ChaosScheduleError,
  chaosEventSchema,
  chaosScheduleSchema,
  parseChaosLine,
  parseChaosSchedule,
  checkScheduleWorkers,
  checkWorkerIndices,
  ChaosScheduleState,
} from './schedule';
export { ScheduleRunner } from './schedule-runner';
export {
  type DelayTrace,
  type TraceMode,
  type TraceOptions,
  type TraceStream,
  MAX_TRACE_ROWS,
  parseDelayTrace,
  readDelayTrace,
  makeTraceSampler,
  makeStreamSampler,
  traceStreamFor,
  validateTraceOptions,
  validateTraceStream,
} from './trace';
export { delaySchema, type DelayInput } from './delay-schema';
export { type MarkovDelay, type MonotonicClock, makeMarkovSampler, markovSlowShare } from './markov';
export { delayQuantile, discreteQuantile } from './delay-quantile';
export { declaredDelays, type DeclaredDelays, type DeclaredChaos } from './declared';
