/** Job data: files or seeded generators. `const { A, b } = loadLeastSquaresProblem(job);` */
export { syntheticLeastSquares } from './synthetic';
export { loadLeastSquaresProblem, type LeastSquaresProblem, type LeastSquaresSource } from './load-problem';
