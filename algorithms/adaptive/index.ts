/** Adaptive scheme choice driven through the cluster interface: the run loop and the re-planner (the pure policy is core/policy). */
export { Replanner, type ReplanCluster, type ReplannerJob, type PlacementInForce, type ReplanOutcome, type CalibrationOutcome, CALIBRATION_ROUND_TIMEOUT } from './replanner';
export { AdaptiveRun, PLACEMENT_WARMUP_ROUNDS, CALIBRATION_ROUNDS, type AdaptiveMetrics, type AdaptiveRunSpec, type StepContext } from './run';
