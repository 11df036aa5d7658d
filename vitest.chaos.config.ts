import { defineConfig } from 'vitest/config';

/**
 * The chaos test (`npm run test:chaos`): 10,000 webhooks, five `kill -9`s. It takes ~9 minutes on PostgreSQL on
 * this 2-core machine (longer on PGlite), more than CI's budget for it, so `npm test` leaves it out; see
 * docs/benchmarks.md for its measured runs.
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
