// Original file: proto/coda/v1/worker.proto

import type { Tensor as _coda_v1_Tensor, Tensor__Output as _coda_v1_Tensor__Output } from '../../coda/v1/Tensor';

export interface DelaySpec {
  /**
   * constant | exponential | shifted-exponential | pareto | bimodal | mixture | lambda-tail | markov | trace | none
   */
  'dist'?: (string);
  /**
   * constant: seconds
   */
  'value'?: (number | string);
  /**
   * shifted-exponential: seconds
   */
  'shift'?: (number | string);
  /**
   * exponential, shifted-exponential: 1/seconds
   */
  'rate'?: (number | string);
  /**
   * pareto: minimum seconds
   */
  'scale'?: (number | string);
  /**
   * pareto: tail index
   */
  'alpha'?: (number | string);
  /**
   * bimodal: probability of the slow mode
   */
  'p'?: (number | string);
  /**
   * bimodal: seconds
   */
  'fast'?: (number | string);
  /**
   * bimodal: seconds
   */
  'slow'?: (number | string);
  /**
   * mixture: base seconds
   */
  'base'?: (number | string);
  /**
   * mixture: multiples of base
   */
  'multiples'?: (number | string)[];
  /**
   * mixture: probabilities of the multiples
   */
  'weights'?: (number | string)[];
  /**
   * worker-round (default, also ""): one draw per worker and round, times each task's work, the
   * worker's tasks run one after another on its cores; task: an independent draw per task,
   * whatever its size, tasks side by side.
   */
  'per'?: (string);
  /**
   * trace: this worker's own stream of measured times (seconds for one unit of work), which the
   * master cut from the job's trace file (the worker never reads the file), replayed in order from
   * trace_start (wrapping) or resampled with the seed, times trace_scale.
   */
  'trace'?: (_coda_v1_Tensor | null);
  'traceStart'?: (number);
  /**
   * replay | resample
   */
  'traceMode'?: (string);
  'traceScale'?: (number | string);
  /**
   * the file it came from, for logs
   */
  'traceSource'?: (string);
  /**
   * markov: correlated slow periods; base (field 10) in the normal state, base × markov_factor in
   * the slow one, exponential stays of mean markov_normal_dwell and markov_slow_dwell seconds.
   */
  'markovFactor'?: (number | string);
  'markovNormalDwell'?: (number | string);
  'markovSlowDwell'?: (number | string);
}

export interface DelaySpec__Output {
  /**
   * constant | exponential | shifted-exponential | pareto | bimodal | mixture | lambda-tail | markov | trace | none
   */
  'dist': (string);
  /**
   * constant: seconds
   */
  'value': (number);
  /**
   * shifted-exponential: seconds
   */
  'shift': (number);
  /**
   * exponential, shifted-exponential: 1/seconds
   */
  'rate': (number);
  /**
   * pareto: minimum seconds
   */
  'scale': (number);
  /**
   * pareto: tail index
   */
  'alpha': (number);
  /**
   * bimodal: probability of the slow mode
   */
  'p': (number);
  /**
   * bimodal: seconds
   */
  'fast': (number);
  /**
   * bimodal: seconds
   */
  'slow': (number);
  /**
   * mixture: base seconds
   */
  'base': (number);
  /**
   * mixture: multiples of base
   */
  'multiples': (number)[];
  /**
   * mixture: probabilities of the multiples
   */
  'weights': (number)[];
  /**
   * worker-round (default, also ""): one draw per worker and round, times each task's work, the
   * worker's tasks run one after another on its cores; task: an independent draw per task,
   * whatever its size, tasks side by side.
   */
  'per': (string);
  /**
   * trace: this worker's own stream of measured times (seconds for one unit of work), which the
   * master cut from the job's trace file (the worker never reads the file), replayed in order from
   * trace_start (wrapping) or resampled with the seed, times trace_scale.
   */
  'trace': (_coda_v1_Tensor__Output | null);
  'traceStart': (number);
  /**
   * replay | resample
   */
  'traceMode': (string);
  'traceScale': (number);
  /**
   * the file it came from, for logs
   */
  'traceSource': (string);
  /**
   * markov: correlated slow periods; base (field 10) in the normal state, base × markov_factor in
   * the slow one, exponential stays of mean markov_normal_dwell and markov_slow_dwell seconds.
   */
  'markovFactor': (number);
  'markovNormalDwell': (number);
  'markovSlowDwell': (number);
}
