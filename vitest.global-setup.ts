import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Tests clean up their temp folders. Every run gets a private TMPDIR (workers inherit it, so `os.tmpdir()` points
 * there); at the end whatever is left in it is listed as a leftover — a test that did not clean up — and the folder
 * is removed, so a run never litters /tmp. Set VITEST_TMP_LEFTOVERS=fail to make leftovers fail the run.
 */
export default function setup(): () => void {
  const outer = tmpdir();
  const dir = mkdtempSync(join(outer, 'vitest-run-'));
  process.env.TMPDIR = dir;
  return () => {
    const left = readdirSync(dir);
    process.env.TMPDIR = outer;
    rmSync(dir, { recursive: true, force: true });
    if (left.length === 0) return;
    const message = `${left.length} temp folder(s) left by tests (name them in a test's afterAll/afterEach cleanup): ${left.sort().join(', ')}`;
    if (process.env.VITEST_TMP_LEFTOVERS === 'fail') throw new Error(message);
    process.stderr.write(`\nwarning: ${message}\n`);
  };
}
