import type { DelaySpec, FaultSpec } from '../chaos';
import { InputError } from '../errors';
import { tensorValues, vectorToTensor } from './tensor-codec';
import type { DelaySpecMessage, DelaySpecMessage__Output } from './types';

/** shared DelaySpec <-> proto DelaySpec (a flat message with a `dist` discriminator). */
export function delayToMessage(d: DelaySpec): DelaySpecMessage {
  return { ...distributionToMessage(d), per: d.per ?? '' };
}

function distributionToMessage(d: DelaySpec): DelaySpecMessage {
  switch (d.dist) {
    case 'none':
      return { dist: 'none' };
    case 'constant':
      return { dist: d.dist, value: d.value };
    case 'exponential':
      return { dist: d.dist, rate: d.rate };
    case 'shifted-exponential':
      return { dist: d.dist, shift: d.shift, rate: d.rate };
    case 'pareto':
      return { dist: d.dist, scale: d.scale, alpha: d.alpha };
    case 'bimodal':
      return { dist: d.dist, p: d.p, fast: d.fast, slow: d.slow };
    case 'mixture':
      return { dist: d.dist, base: d.base, multiples: d.multiples, weights: d.weights };
    case 'lambda-tail':
      return { dist: d.dist, base: d.base };
    case 'markov':
      return { dist: d.dist, base: d.base, markovFactor: d.factor, markovNormalDwell: d.normalDwell, markovSlowDwell: d.slowDwell };
    case 'trace':
      // Only a worker's own stream crosses the wire, never the file name's contents.
      if (!d.stream) throw new InputError(`chaos.delay: the trace ${d.file ?? ''} must be read at the master and cut into per-worker streams before it is sent`);
      return {
        dist: d.dist,
        trace: vectorToTensor(d.stream.values),
        traceStart: d.stream.start,
        traceMode: d.mode ?? 'replay',
        traceScale: d.scale ?? 1,
        traceSource: d.file ?? '',
      };
  }
}

export function delayFromMessage(m: DelaySpecMessage__Output | null | undefined): DelaySpec {
  const d = distributionFromMessage(m);
  if (!m || !m.per) return d;
  if (m.per !== 'worker-round' && m.per !== 'task') throw new InputError(`unknown delay unit '${m.per}' (worker-round or task)`);
  return { ...d, per: m.per };
}

function distributionFromMessage(m: DelaySpecMessage__Output | null | undefined): DelaySpec {
  if (!m || m.dist === '' || m.dist === 'none') return { dist: 'none' };
  switch (m.dist) {
    case 'constant':
      return { dist: 'constant', value: m.value };
    case 'exponential':
      return { dist: 'exponential', rate: m.rate };
    case 'shifted-exponential':
      return { dist: 'shifted-exponential', shift: m.shift, rate: m.rate };
    case 'pareto':
      return { dist: 'pareto', scale: m.scale, alpha: m.alpha };
    case 'bimodal':
      return { dist: 'bimodal', p: m.p, fast: m.fast, slow: m.slow };
    case 'mixture':
      return { dist: 'mixture', base: m.base, multiples: m.multiples, weights: m.weights };
    case 'lambda-tail':
      return { dist: 'lambda-tail', base: m.base };
    case 'markov':
      return { dist: 'markov', base: m.base, factor: m.markovFactor, normalDwell: m.markovNormalDwell, slowDwell: m.markovSlowDwell };
    case 'trace': {
      if (m.traceMode !== 'replay' && m.traceMode !== 'resample') throw new InputError(`unknown trace mode '${m.traceMode}' (replay or resample)`);
      return {
        dist: 'trace',
        ...(m.traceSource ? { file: m.traceSource } : {}),
        mode: m.traceMode,
        scale: m.traceScale,
        stream: { values: tensorValues(m.trace, 'the delay trace'), start: m.traceStart },
      };
    }
    default:
      throw new InputError(`unknown delay distribution '${m.dist}'`);
  }
}

export function faultFromMessage(m: { dropProbability: number; hangProbability: number; crashAfterTasks: number } | null | undefined): FaultSpec {
  return { dropProbability: m?.dropProbability ?? 0, hangProbability: m?.hangProbability ?? 0, crashAfterTasks: m?.crashAfterTasks ?? 0 };
}
