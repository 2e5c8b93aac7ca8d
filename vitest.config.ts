import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Store suites open embedded PostgreSQL instances; two cores are all we have.
    maxWorkers: 2,
  },
});
