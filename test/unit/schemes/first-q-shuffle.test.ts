import { describe, expect, it } from 'vitest';
import { oversketchPlan } from '../../../core/schemes/oversketch';
import { lookupScheme, registeredSchemes, type Plan } from '../../../core/schemes';
import { Rng } from '../../../shared/random';
import { blockRows, randomProblem, slotResults } from './simulate';

/** Feeds the slots' answers in slot order until the decoder has enough; was the result exact? */
function decodesExactlyInSlotOrder(plan: Plan, answers: Float64Array[]): boolean {
  const d = plan.decoder();
  for (let s = 0; s < answers.length && !d.enough(); s++) d.add(s, answers[s]!);
  return d.decode().exact;
}

/**
 * Every plan whose decoder takes the first answers as an approximation must ask the dispatcher to
 * send in a fresh random order (Plan.shuffleSends), or a fixed send order biases it on a real
 * cluster (test/cluster/first-q-exchangeable.test.ts measures that bias).
 */
describe('every first-q plan shuffles its send order', () => {
  const N = 8;
  const p = randomProblem(5, N, 6, 3);
  const params: Record<string, Record<string, unknown>> = { frc: { stragglers: 1 }, replication: { r: 2 } };

  // Every gradient scheme (oversketch, a Hessian sketch, has its own case below).
  for (const { name } of registeredSchemes().filter((s) => s.gradient !== 'none')) {
    it(`${name}: approximate from the first answers ⇒ shuffled sends`, () => {
      const scheme = lookupScheme(name);
      const parsed = scheme.choose(params[name] ?? {});
      const K = name === 'mds' ? 6 : name === 'frc' ? 4 : name === 'product-code' ? parsed.defaultBlocks(N) : N;
      const prob = K === N ? p : randomProblem(5, K, 6, 3);
      const plan = parsed.plan({ workers: N, blocks: K, blockRows: blockRows(prob), rng: new Rng(1), data: { rows: prob.A.rows, cols: prob.A.cols, A: prob.A.data } });
      const kind = (plan.taskKinds ?? ['lsGradient']).includes('lsGradient') ? 'lsGradient' : 'matvec';
      const exact = decodesExactlyInSlotOrder(plan, slotResults(plan, prob, kind));
      if (!exact) expect(plan.shuffleSends, `${name} decodes approximately from the first answers`).toBe(true);
      expect(['ignore-stragglers', 'leverage'].includes(name)).toBe(!exact);
    });
  }

  it('oversketch (first N of N+e sketch blocks) shuffles too', () => {
    const plan = oversketchPlan({ blocks: 4, extra: 2, width: 8 }, 3, 2);
    expect(plan.shuffleSends).toBe(true);
  });
});
