import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// LangGraph's official checkpointer conformance suite for both checkpointers: Redis (a private redis-server) and in-memory (npm run test:checkpointer).
// Spread, not mergeConfig: mergeConfig concatenates `include` and would run every test as well.
export default defineConfig({
  ...base,
  // Without `projects`, which would run the unit and int projects instead of this include.
  test: { ...base.test, projects: undefined, include: ['agent/src/store/*.conformance.test.ts', 'agent/src/store/*.conformance.int.test.ts'] },
});
