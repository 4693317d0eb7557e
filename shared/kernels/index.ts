/**
 * Numerical kernels: pure functions on Float64Array, each tested against a naive reference.
 *
 *   lsGradient(Ai, bi, x, g, weight, true);   // g += weight · Aᵢᵀ(Aᵢx − bᵢ)
 */
export { dot, norm2, axpy, scale, matVec, matTVec, lsGradient, gram, matMul } from './blas';
