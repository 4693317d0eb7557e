// Original file: proto/coda/v1/worker.proto

import type { BlockHeader as _coda_v1_BlockHeader, BlockHeader__Output as _coda_v1_BlockHeader__Output } from '../../coda/v1/BlockHeader';

export interface BlockChunk {
  'header'?: (_coda_v1_BlockHeader | null);
  'data'?: (Buffer | Uint8Array | string);
  'part'?: "header"|"data";
}

export interface BlockChunk__Output {
  'header'?: (_coda_v1_BlockHeader__Output | null);
  'data'?: (Buffer);
  'part'?: "header"|"data";
}
