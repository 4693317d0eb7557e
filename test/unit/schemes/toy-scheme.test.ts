import { describe, expect, it } from 'vitest';
import { Rng } from '../../../shared/random';
import { lookupScheme, registerScheme } from '../../../core/schemes';
import { AdaptiveChooser, candidateSet, choosePolicy, expectedIterationSeconds, PlanCache } from '../../../core/policy';
import { RuntimeModel } from '../../../core/runtime';
import { ErrorCostModel } from '../../../core/policy';
import { jobOf } from '../../../master';
import { checkJob } from '../../../master/jobs/check-job';
import { fairShare, showdownSchemes } from '../../../master/jobs/straggler-showdown';
import { toyMirror } from '../../fixtures/schemes/toy-mirror';
import { expectClose, TOL } from '../../helpers/expect-close';
import { blockRows, exactGradient, randomProblem, slotResults, subsets } from './simulate';

// The scheme's one file is all there is to it: registered, the rest of Coda finds it.
registerScheme(toyMirror);

describe('a toy scheme declared in one file runs wherever schemes run', () => {
  it('decodes exactly from every straggler pattern that leaves each block one of its mirrors, and from no other', () => {
    const K = 4;
    const p = randomProblem(3, K, 5, 3);
    const plan = lookupScheme('toy-mirror').choose({}).plan({ workers: 2 * K, blocks: K, blockRows: blockRows(p), rng: new Rng(1) });
    const results = slotResults(plan, p, 'lsGradient');
    const exact = exactGradient(p);
    let decodable = 0;
    for (const arrived of subsets(2 * K)) {
      const d = plan.decoder();
      for (const s of arrived) d.add(s, results[s]!);
      const covered = new Set(arrived.map((s) => s % K)).size === K;
      expect(d.enough()).toBe(covered);
      if (!covered) continue;
      decodable++;
      const out = d.decode();
      expect(out.exact).toBe(true);
      expect(out.used).toHaveLength(K);
      expectClose(out.value, exact, TOL.roundoff);
    }
    expect(decodable).toBe(3 ** K);
  });

  it('is an adaptive candidate: offered, planned for the predictor, its closed form the simulator’s mean', () => {
    const N = 8;
    const candidates = candidateSet(N, { approximate: false, coded: false, data: false });
    const toy = candidates.find((c) => c.scheme === 'toy-mirror')!;
    expect(toy).toMatchObject({ blocks: 4, exact: true, roundsPerIteration: 1, label: 'toy-mirror' });
    const fit = { shift: 0.01, rate: 100 };
    expect(expectedIterationSeconds(toy, N, fit)).toBeCloseTo(2 * 0.01 + (1 + 1 / 2 + 1 / 3 + 1 / 4) / 100, 12);
    expect(new PlanCache({ rows: 400, jobWorkers: N, seed: 1 }).tryGet(toy, N)).toBeDefined();
    // The adaptive policy's `schemes:` knows it, and a chooser narrowed to it starts under it.
    const policy = choosePolicy({ name: 'adaptive', schemes: ['toy-mirror'] });
    expect(policy.params.schemes).toEqual(['toy-mirror']);
    const chooser = new AdaptiveChooser({ workers: [0, 1, 2, 3, 4, 5, 6, 7], rows: 400, seed: 1, approximate: false, coded: false }, { schemes: ['toy-mirror'] });
    expect(chooser.placement().candidate.scheme).toBe('toy-mirror');
    expect(chooser.decide(1, new RuntimeModel(), new ErrorCostModel()).candidate.scheme).toBe('toy-mirror');
  });

  it('is checked and shown in least squares and the showdown, its fair share its own', () => {
    const data = { synthetic: { kind: 'gaussian', rows: 400, cols: 6 } };
    expect(() => checkJob(jobOf('least-squares', { data, scheme: { name: 'toy-mirror' } }), 8)).not.toThrow();
    expect(() => checkJob(jobOf('least-squares', { data, scheme: { name: 'toy-mirror' }, blocks: 5 }), 8)).toThrow(/5 blocks need 10 workers/);
    expect(() => checkJob(jobOf('least-squares', { data, scheme: { name: 'toy-mirror', r: 2 } }), 8)).toThrow(/scheme toy-mirror: unknown key 'r'/);
    expect(fairShare({ name: 'toy-mirror' }, 8, 6)).toEqual({ spec: { name: 'toy-mirror' } });
    const showdown = jobOf('straggler-showdown', { data, schemes: [{ name: 'toy-mirror' }, { name: 'wait-all' }] });
    expect(() => checkJob(showdown, 8)).not.toThrow();
    expect(showdownSchemes(showdown, 8).specs.map((s) => s.choice.name)).toEqual(['toy-mirror', 'wait-all']);
  });
});
