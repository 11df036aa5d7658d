import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'sim/**/*.test.ts', 'scripts/**/*.test.ts'],
    // The chaos test runs on its own (`npm run test:chaos`, vitest.chaos.config.ts): it takes longer than CI allows.
    exclude: ['**/node_modules/**', 'web/**', 'test/chaos/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // PGlite and argon2 are CPU-bound; two cores run two files at a time.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
