import { defineConfig } from 'vitest/config';

/**
 * The chaos test (`npm run test:chaos`, the last step of `npm test`): 10,000 webhooks, five `kill -9`s. About 1 minute
 * on PostgreSQL and 3 on PGlite on this 2-core machine; alone, one file at a time. See docs/benchmarks.md.
 */
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60 * 60_000,
    hookTimeout: 10 * 60_000,
    maxWorkers: 1,
    reporters: ['default'],
  },
});
