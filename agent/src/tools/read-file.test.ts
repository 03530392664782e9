import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileTool } from './read-file.js';
import { call, createTestWorkspace } from './support/workspace.test-support.js';
import type { TestWorkspace } from './support/workspace.test-support.js';

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await createTestWorkspace({ TOOL_OUTPUT_MAX_BYTES: '2048' });
});
afterEach(() => ws.cleanup());

describe('read_file', () => {
  it('returns the file contents', async () => {
    await writeFile(join(ws.root, 'notes.md'), 'héllo\nworld\n');
    expect(await call(readFileTool, { file_path: 'notes.md' }, ws.ctx)).toBe('héllo\nworld\n');
    expect(await call(readFileTool, { file_path: join(ws.root, 'notes.md') }, ws.ctx)).toBe('héllo\nworld\n');
  });

  it('cuts files longer than the output limit and says so', async () => {
    await writeFile(join(ws.root, 'big.txt'), 'é'.repeat(3000));
    const out = (await call(readFileTool, { file_path: 'big.txt' }, ws.ctx)) as string;
    expect(out).toMatch(/\n\.\.\.\[TRUNCATED: showing the first 2048 of 6000 bytes\]\.\.\.$/);
    expect(out.startsWith('é'.repeat(1024))).toBe(true);
  });

  it.each([
    ['missing.txt', 'Error: no such file or directory: missing.txt', 'AGT_ERR_FILE_NOT_FOUND'],
    ['dir', 'Error: Is a directory: dir', 'AGT_ERR_FILE_OPERATION_FAILED'],
    ['bin.dat', 'Error: not valid UTF-8 text: bin.dat', 'AGT_ERR_FILE_OPERATION_FAILED'],
  ])('%s → error data', async (file_path, message, code) => {
    await mkdir(join(ws.root, 'dir'));
    await writeFile(join(ws.root, 'bin.dat'), Buffer.from([0xff, 0xfe, 0x00, 0xc3]));
    expect(await call(readFileTool, { file_path }, ws.ctx)).toEqual({ error: true, message, code });
  });

  it('refuses a path outside the workspace as data, with a security event', async () => {
    const out = await call(readFileTool, { file_path: '../outside/x' }, ws.ctx);
    expect(out).toMatchObject({ error: true, code: 'AGT_ERR_PATH_OUTSIDE_WORKSPACE' });
    expect(ws.events).toHaveLength(1);
  });

  it('rejects unknown arguments', () => {
    expect(readFileTool.schema.safeParse({ file_path: 'a', extra: 1 }).success).toBe(false);
  });
});
