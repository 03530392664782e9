import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{agent,evals,load,chaos,gates,bin,deploy,docs}/**/*.test.ts'],
    globals: true,
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    coverage: {
      provider: 'v8',
      include: ['agent/src/**/*.ts', 'evals/**/*.ts', 'load/**/*.ts', 'chaos/**/*.ts', 'gates/**/*.ts'],
      exclude: ['**/*.test.ts', '**/*.test-support.ts', '**/*.bench.ts', 'datasets/**'],
      reporter: ['text-summary', 'json-summary', 'json'],
      reportsDirectory: 'reports/coverage/raw',
    },
  },
});
