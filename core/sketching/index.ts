/**
 * Sketches for least squares, the comparators of the leverage paper's Table I: pure functions
 * from (A, b) to (S·A, S·b).
 *
 *   const { SA, Sb } = gaussianSketch(A, b, 400, rng);          // fresh each iteration
 *   const mixed = srhtMix(A, b, rng);                            // once
 *   const { SA, Sb } = sampleBlocks(mixed, 20, 20, rng);         // per iteration
 */
export type { Sketched } from './types';
export { fwhtRows, nextPowerOfTwo } from './fwht';
export { gaussianSketch } from './gaussian-sketch';
export { blockSrht, sampleBlocks, srhtMix } from './block-srht';
export { blockSrhtGradientOracle, exactGradientOracle, fillNormals, gaussianGradientOracle, type BatchGradientOracle } from './sketched-gradients';
