import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Cluster-layer files fail at once when dist/ is older than the sources (test/helpers/dist-fresh.ts).
    setupFiles: ['test/helpers/setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Cluster tests start real processes; two cores, so run files one at a time per fork.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default'],
    // Keep test output readable; a failing test still shows its assertion. Override with CODA_LOG_LEVEL=info.
    env: { CODA_LOG_LEVEL: process.env.CODA_LOG_LEVEL ?? 'error' },
  },
});
