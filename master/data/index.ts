/** Job data: files or seeded generators. `const { A, b } = loadLeastSquaresProblem(job);` */
export { syntheticLeastSquares } from './synthetic';
export { loadLeastSquaresProblem, type LeastSquaresProblem, type LeastSquaresSource } from './load-problem';
export { loadInverseMatrix, type InverseMatrixSpec } from './inverse-matrix';
export { loadLogisticProblem, type LogisticProblemData, type LogisticDataSet } from './logistic-problem';
