import { delayQuantile, type DelaySpec } from '../../shared/chaos';

/**
 * The runtime distribution F of a slot's answer time, as the leverage scheme's expansion network
 * needs it (the paper's F̃(t)): the ending time T at which a fraction p of the slots have answered
 * is F⁻¹(p). Pure: built from the job's delay distribution before the run, or from the answer
 * times measured in it.
 */
export interface AnswerTimeDistribution {
  /** Where F comes from, for result.json ("delay shifted-exponential", "measured: 1200 slots"). */
  source: string;
  /** F⁻¹(p): the smallest t with F(t) ≥ p, in seconds. */
  quantile(p: number): number;
}

/**
 * F from the job's injected delay distribution (a slot's time is its delay; the compute of a
 * block is taken as negligible beside it). Undefined for no delay (T would be 0) and for
 * distributions it does not know.
 */
export function delayAnswerTimes(spec: DelaySpec): AnswerTimeDistribution | undefined {
  if (spec.dist === 'none' || spec.dist === 'trace') return undefined;
  const quantile = delayQuantile(spec);
  return quantile && { source: `delay ${spec.dist}`, quantile };
}

/** One round as measured: answer times heard (seconds from the round's start), tasks sent, when it decoded. */
export interface MeasuredRound {
  answers: readonly number[];
  tasks: number;
  endedAt: number;
}

/**
 * F measured in a run, by Kaplan–Meier: a round hears some of its tasks' answers and cuts the
 * rest off when it decodes, so those times are censored there (the task had not answered by
 * then). F̂⁻¹(p) is Infinity when the answers heard never reach p (the rounds stopped earlier).
 */
export function measuredAnswerTimes(rounds: readonly MeasuredRound[]): AnswerTimeDistribution {
  // Events in time order; an answer at the same time as a censoring counts first (it was heard).
  const events: { t: number; answer: number; censored: number }[] = [];
  let tasks = 0;
  let answers = 0;
  for (const r of rounds) {
    for (const t of r.answers) events.push({ t, answer: 1, censored: 0 });
    events.push({ t: r.endedAt, answer: 0, censored: Math.max(0, r.tasks - r.answers.length) });
    tasks += r.tasks;
    answers += r.answers.length;
  }
  events.sort((a, b) => a.t - b.t || b.answer - a.answer);
  const times: number[] = [];
  const cdf: number[] = [];
  let atRisk = tasks;
  let survival = 1;
  for (const e of events) {
    if (e.answer) {
      survival *= 1 - 1 / atRisk;
      times.push(e.t);
      cdf.push(1 - survival);
    }
    atRisk -= e.answer + e.censored;
  }
  return {
    source: `measured: ${answers} answers of ${tasks} tasks in ${rounds.length} rounds (Kaplan–Meier)`,
    quantile(p) {
      for (let k = 0; k < cdf.length; k++) if (cdf[k]! >= p - 1e-12) return times[k]!;
      return Infinity;
    },
  };
}
