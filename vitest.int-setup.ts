import { join } from 'node:path';

// Int files share worker processes (isolate: false), and promptfoo keeps one database per process, opened in the
// folder PROMPTFOO_CONFIG_DIR names when an eval first runs: one folder per worker, under the run's folder that
// vitest.global-setup.ts makes and removes. Workers sharing one folder raced on its migrations ("table already exists").
const root = process.env.LM_TEST_PROMPTFOO_ROOT;
if (root) process.env.PROMPTFOO_CONFIG_DIR ??= join(root, String(process.pid));
