/**
 * Algorithms: they see the cluster only through ComputeCluster (place once, run rounds).
 *
 *   const normal = await normalEquations(await cluster.linalg(), A, b);   // on the master's LAPACK thread
 *   const res = await steepestDescent(roundGradient(cluster, placed), normal, { step: 'line-search', stop });
 */
export { steepestDescent, roundGradient, normalEquations, MAX_MONITORED_COLUMNS, type NormalEquations, type GradientOracle, type LsOptions, type LsResult, type LsRoundInfo, type LsHistoryPoint, type LsState, type LsStop, type StepRule } from './least-squares';
export { directLeastSquares, largestEigenvalue } from './direct';
export { rowLeverageScoresOn, planDataFor } from './row-leverage-scores';
export { ThinnedHistory, DEFAULT_HISTORY_CAP } from './thinned-history';
