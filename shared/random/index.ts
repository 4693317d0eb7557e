/** Seeded randomness: `const rng = new Rng(7); rng.normal();` */
export { Rng } from './rng';
