import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Tests clean up their temp folders: the run lists what appeared in the temp directory while it ran and is still
 * there at the end. On a shared machine another process's folders may show up too, so this warns; set
 * VITEST_TMP_LEFTOVERS=fail to make leftovers fail the run (on a machine of your own, or CI).
 * Tests keep the real temp directory: the simulator's cassettes key on `/tmp/<one folder>` paths.
 */
export default function setup(): () => void {
  const dir = tmpdir();
  const before = new Set(readdirSync(dir));
  // promptfoo keeps one database per process, in the folder PROMPTFOO_CONFIG_DIR names when it first opens it (the
  // eval engine names the first run's report folder otherwise). Int files share worker processes, and a file that
  // removed its report folder left the next file's eval run on a database that is gone ("no such table: evals").
  // Each test process keeps its database in a folder of its own under this one (vitest.int-setup.ts), removed at the end.
  const promptfoo = mkdtempSync(join(dir, 'lm-vitest-promptfoo-'));
  process.env.LM_TEST_PROMPTFOO_ROOT = promptfoo;
  return () => {
    rmSync(promptfoo, { recursive: true, force: true });
    const left = readdirSync(dir).filter((name) => !before.has(name));
    if (left.length === 0) return;
    const message = `${left.length} temp folder(s) appeared in ${dir} during the run and are still there (a test that does not clean up?): ${left.sort().join(', ')}`;
    if (process.env.VITEST_TMP_LEFTOVERS === 'fail') throw new Error(message);
    process.stderr.write(`\nwarning: ${message}\n`);
  };
}
