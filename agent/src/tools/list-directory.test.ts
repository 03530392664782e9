import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listDirectoryTool } from './list-directory.js';
import { call, createTestWorkspace } from './support/workspace.test-support.js';
import type { TestWorkspace } from './support/workspace.test-support.js';

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await createTestWorkspace({ TOOL_OUTPUT_MAX_BYTES: '1024' });
});
afterEach(() => ws.cleanup());

describe('list_directory', () => {
  it('lists names sorted, the root by default', async () => {
    await writeFile(join(ws.root, 'b.txt'), '');
    await writeFile(join(ws.root, '.hidden'), '');
    await mkdir(join(ws.root, 'a'));
    await writeFile(join(ws.root, 'a/inner.txt'), '');
    expect(await call(listDirectoryTool, {}, ws.ctx)).toBe('.hidden\na\nb.txt');
    expect(await call(listDirectoryTool, { dir_path: 'a' }, ws.ctx)).toBe('inner.txt');
  });

  it('says so when the folder is empty', async () => {
    await mkdir(join(ws.root, 'empty'));
    expect(await call(listDirectoryTool, { dir_path: 'empty' }, ws.ctx)).toBe('No files found in directory empty');
  });

  it('caps the output', async () => {
    for (let i = 0; i < 200; i++) await writeFile(join(ws.root, `file-${String(i).padStart(3, '0')}.txt`), '');
    const out = (await call(listDirectoryTool, {}, ws.ctx)) as string;
    expect(Buffer.byteLength(out)).toBeLessThan(1024 + 100);
    expect(out.endsWith('... (output truncated at 1024 bytes)')).toBe(true);
  });

  it.each([
    ['missing', 'Error: no such file or directory: missing', 'AGT_ERR_FILE_NOT_FOUND'],
    ['f.txt', 'Error: Not a directory: f.txt', 'AGT_ERR_FILE_OPERATION_FAILED'],
  ])('%s → error data', async (dir_path, message, code) => {
    await writeFile(join(ws.root, 'f.txt'), '');
    expect(await call(listDirectoryTool, { dir_path }, ws.ctx)).toEqual({ error: true, message, code });
  });
});
