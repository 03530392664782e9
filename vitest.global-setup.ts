import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';

/**
 * Tests clean up their temp folders: the run lists what appeared in the temp directory while it ran and is still
 * there at the end. On a shared machine another process's folders may show up too, so this warns; set
 * VITEST_TMP_LEFTOVERS=fail to make leftovers fail the run (on a machine of your own, or CI).
 * Tests keep the real temp directory: the simulator's cassettes key on `/tmp/<one folder>` paths.
 */
export default function setup(): () => void {
  const dir = tmpdir();
  const before = new Set(readdirSync(dir));
  return () => {
    const left = readdirSync(dir).filter((name) => !before.has(name));
    if (left.length === 0) return;
    const message = `${left.length} temp folder(s) appeared in ${dir} during the run and are still there (a test that does not clean up?): ${left.sort().join(', ')}`;
    if (process.env.VITEST_TMP_LEFTOVERS === 'fail') throw new Error(message);
    process.stderr.write(`\nwarning: ${message}\n`);
  };
}
