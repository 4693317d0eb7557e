/**
 * Adaptive straggler mitigation (issue 16). The pure core: the adaptive-policy registry (policies.ts;
 * `adaptive` is its policy, adaptive-policy.ts), candidates and their real plans (each scheme offers its own), a
 * round simulator over those plans' decoders, the round-time predictor, the error cost of
 * approximate gradients, the slow-worker blocklist, the chooser, the controller (when to decide,
 * what to report) and the block catalogue (one id per block across plans). No network, no clock.
 * On a job's workers (through the session's interface, no gRPC here): the replanner (incremental
 * placement, probes) and the run that ties them to a job's loop (run.ts).
 *
 *   const { policy } = chooseSchemeOrPolicy(job.scheme);    // `scheme: { name: adaptive, ... }`
 *   const run = await AdaptiveRun.start(session, { jobId, A, b, seed, policy, log, metrics, labels });
 *   // each iteration: const o = await session.round(run.placed, payload); run.observe(o);
 *   //                 run.observeGradient(e, error); await run.step({ round: o.round, remainingIterations, probePayload });
 *
 * Or the pieces by hand:
 *   const model = new RuntimeModel();                       // core/runtime
 *   const errors = new ErrorCostModel();
 *   const chooser = new AdaptiveChooser({ workers, rows, seed, approximate: true, coded: true });
 *   // each round: model.observeRound(r, timings); errors.observeSquaredError(c, e)
 *   const d = chooser.decide(r, model, errors);             // every few rounds
 *   if (d.replan) place planCandidate(d.candidate, { workers: d.workers.length, rows, seed }) on d.workers
 */
export { AdaptiveChooser, type AdaptiveJob, type ChooserOptions, type Decision, type DecideContext, type PredictionRow } from './chooser';
export { candidateSet, candidateKey, candidateScheme, planCandidate, blockRowsFor, blockStartsFor, slotWork, type Candidate, type CandidateOptions, type PlanInputs } from './candidates';
export {
  registerPolicy,
  choosePolicy,
  chooseSchemeOrPolicy,
  isPolicy,
  policyNames,
  type AdaptivePolicy,
  type PolicyChoice,
  type PolicyCheck,
  type PolicyJob,
  type PolicyHooks,
  type RegisteredPolicy,
  type SchemeOrPolicy,
} from './policies';
export { adaptive, adaptiveParams, ADAPTIVE, type AdaptiveParams } from './adaptive-policy';
export { ErrorCostModel, type ErrorCostOptions } from './error-cost';
export { SlowWorkerBlocklist, type BlocklistOptions, type BlocklistUpdate } from './blocklist';
export { PlanCache, predictIterations, pairedDifference, meanAndError, type Placement, type PredictorOptions, type IterationPrediction } from './predictor';
export { simulateRound, simulatedPlan, type SimulatedPlan, type RoundDraws } from './round-simulator';
export { expectedIterationSeconds } from './order-statistics';
export { placementDiff, storedBlockKeys, type PlacedLayout, type PlacementDiff } from './placement-diff';
export { BlockCatalog, plainRows } from './block-catalog';
export { AdaptiveController, placementLabel, FIRST_DECISION_SECONDS, type PlacementDecider, type ControllerOptions, type DecisionRecord, type ReplanRecord, type AdaptiveReport, type NextStep } from './controller';
export { declaredPrior, PRIOR_COMPUTE_FLOOR, type PriorOptions } from './prior';
