import { candidateScheme, type Candidate } from './candidates';

/**
 * Exact expected seconds per iteration of a candidate under the papers' model, where its scheme
 * has a closed form (Scheme.expectedIterationSeconds: wait-all, ignore-stragglers, mds,
 * replication and frc when the groups divide N); undefined elsewhere (speculation, leverage,
 * uneven groups). The round simulator is checked against these.
 */
export function expectedIterationSeconds(c: Candidate, workers: number, fit: { shift: number; rate: number }): number | undefined {
  return candidateScheme(c).expectedIterationSeconds({ workers, blocks: c.blocks, fit });
}
