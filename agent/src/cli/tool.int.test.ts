import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../../../bin/run-cli.test-support.js';
import { createTestWorkspace } from '../tools/support/workspace.test-support.js';
import type { TestWorkspace } from '../tools/support/workspace.test-support.js';

const REPO = join(import.meta.dirname, '../../..');
const run = promisify(execFile);

// The first case runs the real binary (a result printed through the process's stdout pipe); the others run the CLI's
// main() in this process, without the ~0.8 s of CPU a spawn spends loading TypeScript.
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCliInProcess(['tool', ...args]);
}

async function cliProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/luminamind', 'tool', ...args], { cwd: REPO, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let ws: TestWorkspace;
beforeAll(async () => {
  ws = await createTestWorkspace();
  await writeFile(join(ws.root, 'notes.md'), 'hello\n');
});
afterAll(() => ws.cleanup());

describe('luminamind tool (file tools)', () => {
  it('prints a tool result as JSON', async () => {
    const out = await cliProcess('read_file', '--workspace', ws.root, '--input', '{"file_path":"notes.md"}');
    expect(out).toMatchObject({ code: 0 });
    expect(JSON.parse(out.stdout)).toBe('hello\n');
  });

  it('prints refusals as data and exits 0', async () => {
    const out = await cli('write_file', '--workspace', ws.root, '--input', JSON.stringify({ file_path: '../outside/x', text: 'x' }));
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ error: true, code: 'AGT_ERR_PATH_OUTSIDE_WORKSPACE' });
  });

  it('exits 2 for an unknown tool', async () => {
    const out = await cli('read_fiel', '--workspace', ws.root, '--input', '{}');
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("unknown tool 'read_fiel'");
  });

  it('runs one call per JSONL line and prints one result per line', async () => {
    const calls = [
      { file_path: 'notes.md' },
      { file_path: '../../etc/passwd' },
      { file_path: 'missing.md' },
      { nope: true },
    ];
    const file = join(ws.outside, 'calls.jsonl');
    await writeFile(file, `${calls.map((c) => JSON.stringify(c)).join('\n')}\n\n`);
    const out = await cli('read_file', '--workspace', ws.root, '--input-file', file);
    expect(out.code).toBe(0);
    const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('hello\n');
    expect(lines[1]).toMatchObject({ error: true, code: 'AGT_ERR_PATH_OUTSIDE_WORKSPACE' });
    expect(lines[2]).toMatchObject({ error: true, code: 'AGT_ERR_FILE_NOT_FOUND' });
    expect(lines[3]).toMatchObject({ error: true, code: 'AGT_ERR_TOOL_INPUT_INVALID' });
    expect(await readFile(join(ws.root, 'notes.md'), 'utf8')).toBe('hello\n');
  });
});
