import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { BlockChunk as _coda_v1_BlockChunk, BlockChunk__Output as _coda_v1_BlockChunk__Output } from './coda/v1/BlockChunk';
import type { BlockHeader as _coda_v1_BlockHeader, BlockHeader__Output as _coda_v1_BlockHeader__Output } from './coda/v1/BlockHeader';
import type { BulkError as _coda_v1_BulkError, BulkError__Output as _coda_v1_BulkError__Output } from './coda/v1/BulkError';
import type { BulkResult as _coda_v1_BulkResult, BulkResult__Output as _coda_v1_BulkResult__Output } from './coda/v1/BulkResult';
import type { CancelTasksReply as _coda_v1_CancelTasksReply, CancelTasksReply__Output as _coda_v1_CancelTasksReply__Output } from './coda/v1/CancelTasksReply';
import type { CancelTasksRequest as _coda_v1_CancelTasksRequest, CancelTasksRequest__Output as _coda_v1_CancelTasksRequest__Output } from './coda/v1/CancelTasksRequest';
import type { CountSketchTask as _coda_v1_CountSketchTask, CountSketchTask__Output as _coda_v1_CountSketchTask__Output } from './coda/v1/CountSketchTask';
import type { DelaySpec as _coda_v1_DelaySpec, DelaySpec__Output as _coda_v1_DelaySpec__Output } from './coda/v1/DelaySpec';
import type { DropBlocksReply as _coda_v1_DropBlocksReply, DropBlocksReply__Output as _coda_v1_DropBlocksReply__Output } from './coda/v1/DropBlocksReply';
import type { DropBlocksRequest as _coda_v1_DropBlocksRequest, DropBlocksRequest__Output as _coda_v1_DropBlocksRequest__Output } from './coda/v1/DropBlocksRequest';
import type { DropSlicesReply as _coda_v1_DropSlicesReply, DropSlicesReply__Output as _coda_v1_DropSlicesReply__Output } from './coda/v1/DropSlicesReply';
import type { DropSlicesRequest as _coda_v1_DropSlicesRequest, DropSlicesRequest__Output as _coda_v1_DropSlicesRequest__Output } from './coda/v1/DropSlicesRequest';
import type { EigenproAsyncTask as _coda_v1_EigenproAsyncTask, EigenproAsyncTask__Output as _coda_v1_EigenproAsyncTask__Output } from './coda/v1/EigenproAsyncTask';
import type { EigenproSetupTask as _coda_v1_EigenproSetupTask, EigenproSetupTask__Output as _coda_v1_EigenproSetupTask__Output } from './coda/v1/EigenproSetupTask';
import type { EigenproStepTask as _coda_v1_EigenproStepTask, EigenproStepTask__Output as _coda_v1_EigenproStepTask__Output } from './coda/v1/EigenproStepTask';
import type { FaultSpec as _coda_v1_FaultSpec, FaultSpec__Output as _coda_v1_FaultSpec__Output } from './coda/v1/FaultSpec';
import type { GramTask as _coda_v1_GramTask, GramTask__Output as _coda_v1_GramTask__Output } from './coda/v1/GramTask';
import type { KernelSpec as _coda_v1_KernelSpec, KernelSpec__Output as _coda_v1_KernelSpec__Output } from './coda/v1/KernelSpec';
import type { LoadBlocksReply as _coda_v1_LoadBlocksReply, LoadBlocksReply__Output as _coda_v1_LoadBlocksReply__Output } from './coda/v1/LoadBlocksReply';
import type { LocalNewtonTask as _coda_v1_LocalNewtonTask, LocalNewtonTask__Output as _coda_v1_LocalNewtonTask__Output } from './coda/v1/LocalNewtonTask';
import type { LogisticGradientTask as _coda_v1_LogisticGradientTask, LogisticGradientTask__Output as _coda_v1_LogisticGradientTask__Output } from './coda/v1/LogisticGradientTask';
import type { LogisticLossTask as _coda_v1_LogisticLossTask, LogisticLossTask__Output as _coda_v1_LogisticLossTask__Output } from './coda/v1/LogisticLossTask';
import type { LsGradientTask as _coda_v1_LsGradientTask, LsGradientTask__Output as _coda_v1_LsGradientTask__Output } from './coda/v1/LsGradientTask';
import type { MatTVecTask as _coda_v1_MatTVecTask, MatTVecTask__Output as _coda_v1_MatTVecTask__Output } from './coda/v1/MatTVecTask';
import type { MatVecTask as _coda_v1_MatVecTask, MatVecTask__Output as _coda_v1_MatVecTask__Output } from './coda/v1/MatVecTask';
import type { NoopTask as _coda_v1_NoopTask, NoopTask__Output as _coda_v1_NoopTask__Output } from './coda/v1/NoopTask';
import type { OpenBulkReply as _coda_v1_OpenBulkReply, OpenBulkReply__Output as _coda_v1_OpenBulkReply__Output } from './coda/v1/OpenBulkReply';
import type { OpenBulkRequest as _coda_v1_OpenBulkRequest, OpenBulkRequest__Output as _coda_v1_OpenBulkRequest__Output } from './coda/v1/OpenBulkRequest';
import type { ReadSliceReply as _coda_v1_ReadSliceReply, ReadSliceReply__Output as _coda_v1_ReadSliceReply__Output } from './coda/v1/ReadSliceReply';
import type { ReadSliceRequest as _coda_v1_ReadSliceRequest, ReadSliceRequest__Output as _coda_v1_ReadSliceRequest__Output } from './coda/v1/ReadSliceRequest';
import type { RoundTasks as _coda_v1_RoundTasks, RoundTasks__Output as _coda_v1_RoundTasks__Output } from './coda/v1/RoundTasks';
import type { Slice as _coda_v1_Slice, Slice__Output as _coda_v1_Slice__Output } from './coda/v1/Slice';
import type { SliceKey as _coda_v1_SliceKey, SliceKey__Output as _coda_v1_SliceKey__Output } from './coda/v1/SliceKey';
import type { SliceOwner as _coda_v1_SliceOwner, SliceOwner__Output as _coda_v1_SliceOwner__Output } from './coda/v1/SliceOwner';
import type { SolveColumnsTask as _coda_v1_SolveColumnsTask, SolveColumnsTask__Output as _coda_v1_SolveColumnsTask__Output } from './coda/v1/SolveColumnsTask';
import type { TaskFailure as _coda_v1_TaskFailure, TaskFailure__Output as _coda_v1_TaskFailure__Output } from './coda/v1/TaskFailure';
import type { TaskRequest as _coda_v1_TaskRequest, TaskRequest__Output as _coda_v1_TaskRequest__Output } from './coda/v1/TaskRequest';
import type { TaskResult as _coda_v1_TaskResult, TaskResult__Output as _coda_v1_TaskResult__Output } from './coda/v1/TaskResult';
import type { TaskStreamReply as _coda_v1_TaskStreamReply, TaskStreamReply__Output as _coda_v1_TaskStreamReply__Output } from './coda/v1/TaskStreamReply';
import type { TaskStreamRequest as _coda_v1_TaskStreamRequest, TaskStreamRequest__Output as _coda_v1_TaskStreamRequest__Output } from './coda/v1/TaskStreamRequest';
import type { TaskTimings as _coda_v1_TaskTimings, TaskTimings__Output as _coda_v1_TaskTimings__Output } from './coda/v1/TaskTimings';
import type { Tensor as _coda_v1_Tensor, Tensor__Output as _coda_v1_Tensor__Output } from './coda/v1/Tensor';
import type { WeightedBlock as _coda_v1_WeightedBlock, WeightedBlock__Output as _coda_v1_WeightedBlock__Output } from './coda/v1/WeightedBlock';
import type { WorkerClient as _coda_v1_WorkerClient, WorkerDefinition as _coda_v1_WorkerDefinition } from './coda/v1/Worker';
import type { WorkerConfig as _coda_v1_WorkerConfig, WorkerConfig__Output as _coda_v1_WorkerConfig__Output } from './coda/v1/WorkerConfig';
import type { WorkerConfigReply as _coda_v1_WorkerConfigReply, WorkerConfigReply__Output as _coda_v1_WorkerConfigReply__Output } from './coda/v1/WorkerConfigReply';
import type { WriteSliceReply as _coda_v1_WriteSliceReply, WriteSliceReply__Output as _coda_v1_WriteSliceReply__Output } from './coda/v1/WriteSliceReply';
import type { WriteSliceRequest as _coda_v1_WriteSliceRequest, WriteSliceRequest__Output as _coda_v1_WriteSliceRequest__Output } from './coda/v1/WriteSliceRequest';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  coda: {
    v1: {
      BlockChunk: MessageTypeDefinition<_coda_v1_BlockChunk, _coda_v1_BlockChunk__Output>
      BlockHeader: MessageTypeDefinition<_coda_v1_BlockHeader, _coda_v1_BlockHeader__Output>
      BulkError: MessageTypeDefinition<_coda_v1_BulkError, _coda_v1_BulkError__Output>
      BulkResult: MessageTypeDefinition<_coda_v1_BulkResult, _coda_v1_BulkResult__Output>
      CancelTasksReply: MessageTypeDefinition<_coda_v1_CancelTasksReply, _coda_v1_CancelTasksReply__Output>
      CancelTasksRequest: MessageTypeDefinition<_coda_v1_CancelTasksRequest, _coda_v1_CancelTasksRequest__Output>
      CountSketchTask: MessageTypeDefinition<_coda_v1_CountSketchTask, _coda_v1_CountSketchTask__Output>
      DelaySpec: MessageTypeDefinition<_coda_v1_DelaySpec, _coda_v1_DelaySpec__Output>
      DropBlocksReply: MessageTypeDefinition<_coda_v1_DropBlocksReply, _coda_v1_DropBlocksReply__Output>
      DropBlocksRequest: MessageTypeDefinition<_coda_v1_DropBlocksRequest, _coda_v1_DropBlocksRequest__Output>
      DropSlicesReply: MessageTypeDefinition<_coda_v1_DropSlicesReply, _coda_v1_DropSlicesReply__Output>
      DropSlicesRequest: MessageTypeDefinition<_coda_v1_DropSlicesRequest, _coda_v1_DropSlicesRequest__Output>
      EigenproAsyncTask: MessageTypeDefinition<_coda_v1_EigenproAsyncTask, _coda_v1_EigenproAsyncTask__Output>
      EigenproSetupTask: MessageTypeDefinition<_coda_v1_EigenproSetupTask, _coda_v1_EigenproSetupTask__Output>
      EigenproStepTask: MessageTypeDefinition<_coda_v1_EigenproStepTask, _coda_v1_EigenproStepTask__Output>
      FaultSpec: MessageTypeDefinition<_coda_v1_FaultSpec, _coda_v1_FaultSpec__Output>
      GramTask: MessageTypeDefinition<_coda_v1_GramTask, _coda_v1_GramTask__Output>
      KernelSpec: MessageTypeDefinition<_coda_v1_KernelSpec, _coda_v1_KernelSpec__Output>
      LoadBlocksReply: MessageTypeDefinition<_coda_v1_LoadBlocksReply, _coda_v1_LoadBlocksReply__Output>
      LocalNewtonTask: MessageTypeDefinition<_coda_v1_LocalNewtonTask, _coda_v1_LocalNewtonTask__Output>
      LogisticGradientTask: MessageTypeDefinition<_coda_v1_LogisticGradientTask, _coda_v1_LogisticGradientTask__Output>
      LogisticLossTask: MessageTypeDefinition<_coda_v1_LogisticLossTask, _coda_v1_LogisticLossTask__Output>
      LsGradientTask: MessageTypeDefinition<_coda_v1_LsGradientTask, _coda_v1_LsGradientTask__Output>
      MatTVecTask: MessageTypeDefinition<_coda_v1_MatTVecTask, _coda_v1_MatTVecTask__Output>
      MatVecTask: MessageTypeDefinition<_coda_v1_MatVecTask, _coda_v1_MatVecTask__Output>
      NoopTask: MessageTypeDefinition<_coda_v1_NoopTask, _coda_v1_NoopTask__Output>
      OpenBulkReply: MessageTypeDefinition<_coda_v1_OpenBulkReply, _coda_v1_OpenBulkReply__Output>
      OpenBulkRequest: MessageTypeDefinition<_coda_v1_OpenBulkRequest, _coda_v1_OpenBulkRequest__Output>
      ReadSliceReply: MessageTypeDefinition<_coda_v1_ReadSliceReply, _coda_v1_ReadSliceReply__Output>
      ReadSliceRequest: MessageTypeDefinition<_coda_v1_ReadSliceRequest, _coda_v1_ReadSliceRequest__Output>
      RoundTasks: MessageTypeDefinition<_coda_v1_RoundTasks, _coda_v1_RoundTasks__Output>
      Slice: MessageTypeDefinition<_coda_v1_Slice, _coda_v1_Slice__Output>
      SliceKey: MessageTypeDefinition<_coda_v1_SliceKey, _coda_v1_SliceKey__Output>
      SliceOwner: MessageTypeDefinition<_coda_v1_SliceOwner, _coda_v1_SliceOwner__Output>
      SolveColumnsTask: MessageTypeDefinition<_coda_v1_SolveColumnsTask, _coda_v1_SolveColumnsTask__Output>
      TaskFailure: MessageTypeDefinition<_coda_v1_TaskFailure, _coda_v1_TaskFailure__Output>
      TaskRequest: MessageTypeDefinition<_coda_v1_TaskRequest, _coda_v1_TaskRequest__Output>
      TaskResult: MessageTypeDefinition<_coda_v1_TaskResult, _coda_v1_TaskResult__Output>
      TaskStreamReply: MessageTypeDefinition<_coda_v1_TaskStreamReply, _coda_v1_TaskStreamReply__Output>
      TaskStreamRequest: MessageTypeDefinition<_coda_v1_TaskStreamRequest, _coda_v1_TaskStreamRequest__Output>
      TaskTimings: MessageTypeDefinition<_coda_v1_TaskTimings, _coda_v1_TaskTimings__Output>
      Tensor: MessageTypeDefinition<_coda_v1_Tensor, _coda_v1_Tensor__Output>
      WeightedBlock: MessageTypeDefinition<_coda_v1_WeightedBlock, _coda_v1_WeightedBlock__Output>
      /**
       * The worker role: keeps the (encoded) blocks the master placed on it, runs tasks on them.
       */
      Worker: SubtypeConstructor<typeof grpc.Client, _coda_v1_WorkerClient> & { service: _coda_v1_WorkerDefinition }
      WorkerConfig: MessageTypeDefinition<_coda_v1_WorkerConfig, _coda_v1_WorkerConfig__Output>
      WorkerConfigReply: MessageTypeDefinition<_coda_v1_WorkerConfigReply, _coda_v1_WorkerConfigReply__Output>
      WriteSliceReply: MessageTypeDefinition<_coda_v1_WriteSliceReply, _coda_v1_WriteSliceReply__Output>
      WriteSliceRequest: MessageTypeDefinition<_coda_v1_WriteSliceRequest, _coda_v1_WriteSliceRequest__Output>
    }
  }
}

