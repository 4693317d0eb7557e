/**
 * Dense float64 tensors and their file and wire formats.
 *
 *   const A = loadMatrix('data/A.npy');          // .npy or .csv, NaN rejected
 *   writeNpy('out/x.npy', [x.length], x);         // atomic
 *   const bytes = float64ToBytes(x);              // zero-copy, little-endian
 */
export { type Matrix, matrix, rowSlice, assertFinite, transpose } from './matrix';
export { float64ToBytes, bytesToFloat64 } from './bytes';
export { type NpyArray, type NpyHeader, parseNpy, parseNpyHeader, readNpyShape, formatNpy, npyHeader, readNpy, writeNpy } from './npy';
export { parseCsv, readCsv } from './csv';
export { loadMatrix, loadVector, matrixShape } from './load';
