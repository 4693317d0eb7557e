import { beforeAll, expect } from 'vitest';
import { staleDist } from './dist-fresh';

/** Layers that run dist/ (worker processes, the CLI, containers): refuse a stale build up front. */
const RUNS_DIST = /[\\/]test[\\/](cluster|containers|monitoring|browser)[\\/]/;

beforeAll(() => {
  const path = expect.getState().testPath ?? '';
  if (!RUNS_DIST.test(path)) return;
  const stale = staleDist();
  if (stale) throw new Error(stale);
});
