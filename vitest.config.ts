import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'sim/**/*.test.ts', 'scripts/**/*.test.ts'],
    // The chaos test runs after the rest, alone (`npm test` ends with `npm run test:chaos`, vitest.chaos.config.ts):
    // it kills and restarts a server process and must not share the machine with other files.
    exclude: ['**/node_modules/**', 'web/**', 'test/chaos/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // PGlite and argon2 are CPU-bound; two cores run two files at a time.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
