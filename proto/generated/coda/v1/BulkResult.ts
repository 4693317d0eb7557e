// Original file: proto/coda/v1/worker.proto

import type { LoadBlocksReply as _coda_v1_LoadBlocksReply, LoadBlocksReply__Output as _coda_v1_LoadBlocksReply__Output } from '../../coda/v1/LoadBlocksReply';
import type { BulkError as _coda_v1_BulkError, BulkError__Output as _coda_v1_BulkError__Output } from '../../coda/v1/BulkError';

/**
 * The worker's answer on a bulk connection: what LoadBlocks would have replied, or its error.
 */
export interface BulkResult {
  'stored'?: (_coda_v1_LoadBlocksReply | null);
  'error'?: (_coda_v1_BulkError | null);
  'outcome'?: "stored"|"error";
}

/**
 * The worker's answer on a bulk connection: what LoadBlocks would have replied, or its error.
 */
export interface BulkResult__Output {
  'stored'?: (_coda_v1_LoadBlocksReply__Output | null);
  'error'?: (_coda_v1_BulkError__Output | null);
  'outcome'?: "stored"|"error";
}
