import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'packages/*/test/**/*.test.tsx',
      'apps/*/test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // Starts an embedded Postgres unless DATABASE_URL is set; see scripts/test/global-setup.ts.
    globalSetup: ['scripts/test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    pool: 'forks',
    // Two cores, shared with Postgres: two test files at a time.
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default', 'json'],
    // Override per run with --outputFile.json=<path>.
    outputFile: { json: '.test-results/vitest.json' },
  },
});
