// Original file: proto/coda/v1/master.proto

import type { Long } from '@grpc/proto-loader';

export interface JobProgress {
  'round'?: (number | string | Long);
  'elapsedSeconds'?: (number | string);
  'residual'?: (number | string);
  'stragglers'?: (number);
}

export interface JobProgress__Output {
  'round': (string);
  'elapsedSeconds': (number);
  'residual': (number);
  'stragglers': (number);
}
