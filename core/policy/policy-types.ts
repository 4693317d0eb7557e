import type { ZodType, ZodTypeDef } from 'zod';
import type { DeclaredDelays } from '../../shared/chaos';
import type { InputError } from '../../shared/errors';
import type { Execution } from '../runtime';
import type { PlacementDecider } from './controller';
import type { Placement } from './predictor';

/**
 * What an adaptive policy is (policies.ts keeps the registry): its job-file keys, its cadence and
 * the decider a job's adaptive run consults.
 */
export interface PolicyJob {
  /** The job's workers (live, physical indices). */
  workers: readonly number[];
  /** Rows of the data (A's rows), for each slot's work. */
  rows: number;
  /** Seed for the randomized plans (the same the job plans with). */
  seed: number;
  /** The gradient can be two coded matrix-vector products. */
  coded: boolean;
  /** The data, for the plans that need it (leverage scores). */
  data?: { rows: number; cols: number; A: Float64Array };
  /** The delays the job declares (its chaos), which a policy may take as its prior. */
  declared?: DeclaredDelays;
}

/** What a job kind's check knows of the job a policy will drive. */
export interface PolicyCheck {
  workers: number;
  /** The job can take a coded gradient. */
  coded: boolean;
  /** The data is at hand for plans that need it. */
  data: boolean;
}

/** What the job's run offers a policy's decider. */
export interface PolicyHooks {
  /** Seconds a re-plan from one placement to another would cost (blocks to move). */
  replanSeconds(from: Placement, to: Placement): number;
  /** How the workers run their tasks under the job's delay model. */
  execution?: Execution;
}

export interface AdaptivePolicy<P extends Record<string, unknown> = Record<string, unknown>> {
  readonly name: string;
  /** One line for --help and errors. */
  readonly summary: string;
  /** The job file's `scheme:` mapping minus `name`. */
  readonly params: ZodType<P, ZodTypeDef, unknown>;
  /** Rules across keys (InputError). */
  validate?(params: P): void;
  /** What a job kind that does not drive policies says of `scheme: <name>`. */
  refusal(): InputError;
  /** Rounds between decisions (at least) and the share of the job's wall time they may take. */
  cadence(params: P): { period: number; budget: number };
  /** Throws InputError when the policy has nothing to choose from for this job (before anything starts). */
  check?(params: P, job: PolicyCheck): void;
  /** The decider of the job's placements. */
  decider(params: P, job: PolicyJob, hooks: PolicyHooks): PlacementDecider;
}

/** A policy with its parameters parsed: what a job's `scheme:` resolves to when it names one. */
export interface PolicyChoice {
  readonly name: string;
  readonly summary: string;
  /** The parsed parameters (defaults filled in), for result.json. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly period: number;
  readonly budget: number;
  /** See AdaptivePolicy.check. */
  check(job: PolicyCheck): void;
  decider(job: PolicyJob, hooks: PolicyHooks): PlacementDecider;
}

