import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from '../../bin/run-cli.test-support.js';
import { readReport } from './envelope.js';

const ROOT = join(import.meta.dirname, '../..');
const FIXTURES = join(import.meta.dirname, 'fixtures/v1');

// The CLI's main() in this process (a spawn spends ~1 s of CPU loading TypeScript first); the refusal also runs as a
// real process, whose exit status is the contract CI scripts read.
const luminamind = runCliInProcess;

function luminamindProcess(args: string[]) {
  const r = spawnSync(process.execPath, ['bin/luminamind', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('luminamind report merge (CLI)', () => {
  it('exits 0 and writes the merged report; exits 2 with the code on refusal or an unreadable input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-cli-'));
    const chaos = JSON.parse(readFileSync(join(FIXTURES, 'chaos.json'), 'utf8'));
    const write = (name: string, value: unknown) => {
      writeFileSync(join(dir, name), JSON.stringify(value));
      return join(dir, name);
    };
    const a = write('a.json', { ...chaos, runId: 'a' });
    const b = write('b.json', { ...chaos, runId: 'b', results: chaos.results.map((r: { drill: string }) => ({ ...r, drill: 'model-503' })) });
    const out = join(dir, 'merged.json');

    const ok = await luminamind(['report', 'merge', out, a, b, '--kind', 'chaos']);
    expect(ok.code, ok.stderr).toBe(0);
    expect((await readReport(out, 'chaos')).config.mergedFrom).toEqual(['a', 'b']);

    const overlap = luminamindProcess(['report', 'merge', out, a, write('c.json', { ...chaos, runId: 'c' })]);
    expect(overlap.code).toBe(2);
    expect(overlap.stderr).toContain('EVL_ERR_REPORT_MERGE_REFUSED');

    const wrongKind = await luminamind(['report', 'merge', out, a, b, '--kind', 'eval']);
    expect(wrongKind.code).toBe(2);
    expect(wrongKind.stderr).toContain('EVL_ERR_REPORT_MERGE_REFUSED');

    const missing = await luminamind(['report', 'merge', out, a, join(dir, 'missing.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('EVL_ERR_REPORT_UNREADABLE');
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
