import { lstat, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileDeleteTool } from './file-delete.js';
import { call, createTestWorkspace } from './support/workspace.test-support.js';
import type { TestWorkspace } from './support/workspace.test-support.js';

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await createTestWorkspace();
  await writeFile(join(ws.root, 'a.txt'), 'alpha');
  await mkdir(join(ws.root, 'dir'));
});
afterEach(() => ws.cleanup());

describe('file_delete', () => {
  it('deletes a file', async () => {
    expect(await call(fileDeleteTool, { file_path: 'a.txt' }, ws.ctx)).toBe('File deleted successfully: a.txt.');
    await expect(lstat(join(ws.root, 'a.txt'))).rejects.toThrow();
  });

  it('deletes a symlink, not its target', async () => {
    await symlink('a.txt', join(ws.root, 'link'));
    await call(fileDeleteTool, { file_path: 'link' }, ws.ctx);
    await expect(lstat(join(ws.root, 'link'))).rejects.toThrow();
    expect(await readFile(join(ws.root, 'a.txt'), 'utf8')).toBe('alpha');
  });

  it.each([
    ['nope.txt', 'Error: no such file or directory: nope.txt', 'AGT_ERR_FILE_NOT_FOUND'],
    ['dir', 'Error: Is a directory: dir', 'AGT_ERR_FILE_OPERATION_FAILED'],
    ['.', 'Error: Is a directory: .', 'AGT_ERR_FILE_OPERATION_FAILED'],
  ])('%s → error data', async (file_path, message, code) => {
    expect(await call(fileDeleteTool, { file_path }, ws.ctx)).toEqual({ error: true, message, code });
  });
});
