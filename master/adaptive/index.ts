/**
 * Adaptive straggler mitigation (issue 16), the pure core: candidates and their real plans, a
 * round simulator over those plans' decoders, the round-time predictor, the error cost of
 * approximate gradients, the slow-worker blocklist and the chooser. No network, no clock.
 *
 *   const model = new RuntimeModel();                       // master/runtime
 *   const errors = new ErrorCostModel();
 *   const chooser = new AdaptiveChooser({ workers, rows, seed, approximate: true, mds: true });
 *   // each round: model.observeRound(r, timings); errors.observeSquaredError(c, e)
 *   const d = chooser.decide(r, model, errors);             // every few rounds
 *   if (d.replan) place planCandidate(d.candidate, { workers: d.workers.length, rows, seed }) on d.workers
 */
export { AdaptiveChooser, type AdaptiveJob, type ChooserOptions, type Decision, type DecideContext, type PredictionRow } from './chooser';
export { candidateSet, candidateKey, planCandidate, blockRowsFor, blockStartsFor, slotWork, type Candidate, type CandidateOptions, type PlanInputs } from './candidates';
export { ErrorCostModel, type ErrorCostOptions } from './error-cost';
export { SlowWorkerBlocklist, type BlocklistOptions, type BlocklistUpdate } from './blocklist';
export { PlanCache, predictIterations, pairedDifference, meanAndError, type Placement, type PredictorOptions, type IterationPrediction } from './predictor';
export { simulateRound, simulatedPlan, type SimulatedPlan, type RoundDraws } from './round-simulator';
export { expectedIterationSeconds } from './order-statistics';
export { placementDiff, type PlacedLayout, type PlacementDiff } from './placement-diff';
