import type { pb } from '../shared/wire';

/**
 * What an algorithm needs of the parameter stores a job session offers (master/store implements
 * them): declared here so that algorithms see the master only through interfaces.
 */

/** A vector sharded over the workers that own its slices. */
export interface ShardedParameters {
  /** Every slice's owner, as the workers' tasks name them. */
  readonly owners: pb.SliceOwner[];
  /** Each slice's version (writes it has taken). */
  versions(): Promise<number[]>;
  /** The values, each slice's version and their sum. */
  gather(): Promise<{ values: Float64Array; versions: number[]; updates: number }>;
  drop(): Promise<void>;
}

/** The sharded store: slices live on their owners. */
export interface ShardedParameterStore {
  create(jobId: string, name: string, layout: readonly { start: number; end: number; worker: number }[], initial?: Float64Array): Promise<ShardedParameters>;
}

/** A vector held in the master's own store. */
export interface HeldParameters {
  readonly values: Float64Array;
  readonly slices: readonly { start: number; end: number; version: number }[];
  readonly totalVersion: number;
}

/** The master's store: α in the master's memory, served to the workers over gRPC. */
export interface HeldParameterStore {
  create(name: string, length: number, owners: number, initial?: Float64Array): HeldParameters;
  delete(name: string): void;
}
