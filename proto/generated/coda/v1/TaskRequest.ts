// Original file: proto/coda/v1/worker.proto

import type { WeightedBlock as _coda_v1_WeightedBlock, WeightedBlock__Output as _coda_v1_WeightedBlock__Output } from '../../coda/v1/WeightedBlock';
import type { NoopTask as _coda_v1_NoopTask, NoopTask__Output as _coda_v1_NoopTask__Output } from '../../coda/v1/NoopTask';
import type { MatVecTask as _coda_v1_MatVecTask, MatVecTask__Output as _coda_v1_MatVecTask__Output } from '../../coda/v1/MatVecTask';
import type { MatTVecTask as _coda_v1_MatTVecTask, MatTVecTask__Output as _coda_v1_MatTVecTask__Output } from '../../coda/v1/MatTVecTask';
import type { LsGradientTask as _coda_v1_LsGradientTask, LsGradientTask__Output as _coda_v1_LsGradientTask__Output } from '../../coda/v1/LsGradientTask';
import type { GramTask as _coda_v1_GramTask, GramTask__Output as _coda_v1_GramTask__Output } from '../../coda/v1/GramTask';
import type { SolveColumnsTask as _coda_v1_SolveColumnsTask, SolveColumnsTask__Output as _coda_v1_SolveColumnsTask__Output } from '../../coda/v1/SolveColumnsTask';
import type { CountSketchTask as _coda_v1_CountSketchTask, CountSketchTask__Output as _coda_v1_CountSketchTask__Output } from '../../coda/v1/CountSketchTask';
import type { LogisticGradientTask as _coda_v1_LogisticGradientTask, LogisticGradientTask__Output as _coda_v1_LogisticGradientTask__Output } from '../../coda/v1/LogisticGradientTask';
import type { LocalNewtonTask as _coda_v1_LocalNewtonTask, LocalNewtonTask__Output as _coda_v1_LocalNewtonTask__Output } from '../../coda/v1/LocalNewtonTask';
import type { LogisticLossTask as _coda_v1_LogisticLossTask, LogisticLossTask__Output as _coda_v1_LogisticLossTask__Output } from '../../coda/v1/LogisticLossTask';
import type { EigenproSetupTask as _coda_v1_EigenproSetupTask, EigenproSetupTask__Output as _coda_v1_EigenproSetupTask__Output } from '../../coda/v1/EigenproSetupTask';
import type { EigenproStepTask as _coda_v1_EigenproStepTask, EigenproStepTask__Output as _coda_v1_EigenproStepTask__Output } from '../../coda/v1/EigenproStepTask';
import type { EigenproAsyncTask as _coda_v1_EigenproAsyncTask, EigenproAsyncTask__Output as _coda_v1_EigenproAsyncTask__Output } from '../../coda/v1/EigenproAsyncTask';
import type { Long } from '@grpc/proto-loader';

export interface TaskRequest {
  'jobId'?: (string);
  'round'?: (number | string | Long);
  /**
   * The logical slot of the scheme's plan this task computes (stable when a slot moves to
   * another worker after a loss).
   */
  'slot'?: (number);
  'blocks'?: (_coda_v1_WeightedBlock)[];
  /**
   * The task's work relative to one uncoded block of wait-all with K = N (rows x columns it
   * touches over rows x columns / N): the injected delay is the worker's slowdown draw x work.
   * 0 counts as 1. Under chaos.delay.work: ops (the default) it is the task's floating-point
   * operations over those of the job's reference task (one uncoded wait-all gradient block).
   */
  'work'?: (number | string);
  /**
   * When > 0, the task's work is known only when it ends: work_per_iteration x the iterations it
   * did (a column solve's column iterations); the worker then sleeps its delay after computing.
   */
  'workPerIteration'?: (number | string);
  'noop'?: (_coda_v1_NoopTask | null);
  'matvec'?: (_coda_v1_MatVecTask | null);
  'mattvec'?: (_coda_v1_MatTVecTask | null);
  'lsGradient'?: (_coda_v1_LsGradientTask | null);
  'gram'?: (_coda_v1_GramTask | null);
  'solveColumns'?: (_coda_v1_SolveColumnsTask | null);
  'countSketch'?: (_coda_v1_CountSketchTask | null);
  'logisticGradient'?: (_coda_v1_LogisticGradientTask | null);
  'localNewton'?: (_coda_v1_LocalNewtonTask | null);
  'logisticLoss'?: (_coda_v1_LogisticLossTask | null);
  'eigenproSetup'?: (_coda_v1_EigenproSetupTask | null);
  'eigenproStep'?: (_coda_v1_EigenproStepTask | null);
  'eigenproAsync'?: (_coda_v1_EigenproAsyncTask | null);
  'kind'?: "noop"|"matvec"|"mattvec"|"lsGradient"|"gram"|"countSketch"|"logisticGradient"|"localNewton"|"logisticLoss"|"solveColumns"|"eigenproSetup"|"eigenproStep"|"eigenproAsync";
}

export interface TaskRequest__Output {
  'jobId': (string);
  'round': (string);
  /**
   * The logical slot of the scheme's plan this task computes (stable when a slot moves to
   * another worker after a loss).
   */
  'slot': (number);
  'blocks': (_coda_v1_WeightedBlock__Output)[];
  /**
   * The task's work relative to one uncoded block of wait-all with K = N (rows x columns it
   * touches over rows x columns / N): the injected delay is the worker's slowdown draw x work.
   * 0 counts as 1. Under chaos.delay.work: ops (the default) it is the task's floating-point
   * operations over those of the job's reference task (one uncoded wait-all gradient block).
   */
  'work': (number);
  /**
   * When > 0, the task's work is known only when it ends: work_per_iteration x the iterations it
   * did (a column solve's column iterations); the worker then sleeps its delay after computing.
   */
  'workPerIteration': (number);
  'noop'?: (_coda_v1_NoopTask__Output | null);
  'matvec'?: (_coda_v1_MatVecTask__Output | null);
  'mattvec'?: (_coda_v1_MatTVecTask__Output | null);
  'lsGradient'?: (_coda_v1_LsGradientTask__Output | null);
  'gram'?: (_coda_v1_GramTask__Output | null);
  'solveColumns'?: (_coda_v1_SolveColumnsTask__Output | null);
  'countSketch'?: (_coda_v1_CountSketchTask__Output | null);
  'logisticGradient'?: (_coda_v1_LogisticGradientTask__Output | null);
  'localNewton'?: (_coda_v1_LocalNewtonTask__Output | null);
  'logisticLoss'?: (_coda_v1_LogisticLossTask__Output | null);
  'eigenproSetup'?: (_coda_v1_EigenproSetupTask__Output | null);
  'eigenproStep'?: (_coda_v1_EigenproStepTask__Output | null);
  'eigenproAsync'?: (_coda_v1_EigenproAsyncTask__Output | null);
  'kind'?: "noop"|"matvec"|"mattvec"|"lsGradient"|"gram"|"countSketch"|"logisticGradient"|"localNewton"|"logisticLoss"|"solveColumns"|"eigenproSetup"|"eigenproStep"|"eigenproAsync";
}
