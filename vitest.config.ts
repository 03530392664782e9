import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import LongestFirstSequencer from './vitest.sequencer.js';

// Two loops: `unit` (no sockets, no Redis, no child processes — vitest.unit-setup.ts refuses them) for every edit,
// `int` (`*.int.test.ts`: real Redis, HTTP over loopback, real processes) before a push. `npm test` runs both, as CI.
export default defineConfig({
  test: {
    globals: true,
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Temp folders left behind by the run are listed (vitest.global-setup.ts).
    globalSetup: ['vitest.global-setup.ts'],
    // Each file's CPU, for `npm run test:slowest` (one /proc read at each end of a file).
    setupFiles: ['.ci/file-cpu.setup.ts'],
    // Longest files first, from vitest's cache or vitest.durations.json on a fresh clone (vitest.sequencer.ts).
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{agent,evals,load,chaos,gates,bin,deploy,docs}/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          setupFiles: ['vitest.unit-setup.ts'],
          // Unit files share a worker's loaded modules instead of each loading the module graph (LangChain, zod
          // schemas, the agent) again: the unit project's CPU 65 s → 22 s on 2 cores. Safe because unit tests hold no
          // sockets, processes or servers (vitest.unit-setup.ts refuses them) and restore what they stub; the int
          // project stays isolated.
          isolate: false,
          // Projects with different worker counts run as ordered groups: the fast unit loop first, then int.
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'int',
          include: ['{agent,evals,load,chaos,gates,bin,deploy,docs}/**/*.int.test.ts'],
          // Int files also share a worker's loaded modules: each isolated int file loaded LangChain, the agent and the
          // harness again (131 s of import over 79 files). The int project went 236 s -> 182-185 s wall, 423 s -> 326-331 s CPU
          // (two runs each, 2 cores).
          // Every int file closes the servers, processes and Redis it starts, and restores what it changes; promptfoo's
          // database, one per process, is kept in a folder of the whole run (vitest.global-setup.ts).
          isolate: false,
          setupFiles: ['vitest.int-setup.ts'],
          // vitest's default is cores − 1 workers: one on a 2-core machine, which ran the int files one after another
          // while most of them wait (on child processes, Redis, timers, drills). One more worker than cores: the int
          // project with 3 workers on 2 cores: 186 s wall, every file passing (the whole suite with coverage took 480 s with 1).
          maxWorkers: availableParallelism() + 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
    coverage: {
      provider: 'v8',
      include: ['agent/src/**/*.ts', 'evals/**/*.ts', 'load/**/*.ts', 'chaos/**/*.ts', 'gates/**/*.ts'],
      exclude: ['**/*.test.ts', '**/*.test-support.ts', '**/*.bench.ts', 'datasets/**'],
      reporter: ['text-summary', 'json-summary', 'json'],
      reportsDirectory: 'reports/coverage/raw',
    },
  },
});
