import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'sim/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'web/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // PGlite and argon2 are CPU-bound; two cores run two files at a time.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
