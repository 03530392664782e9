import { lstat, mkdir, readFile, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { moveFileTool } from './move-file.js';
import { call, createTestWorkspace } from './support/workspace.test-support.js';
import type { TestWorkspace } from './support/workspace.test-support.js';

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await createTestWorkspace();
  await writeFile(join(ws.root, 'a.txt'), 'alpha');
  await mkdir(join(ws.root, 'dir'));
});
afterEach(() => ws.cleanup());

describe('move_file', () => {
  it('renames a file, creating folders', async () => {
    expect(await call(moveFileTool, { source_path: 'a.txt', destination_path: 'x/y.txt' }, ws.ctx)).toBe(
      'File moved successfully from a.txt to x/y.txt.',
    );
    expect(await readFile(join(ws.root, 'x/y.txt'), 'utf8')).toBe('alpha');
    await expect(lstat(join(ws.root, 'a.txt'))).rejects.toThrow();
  });

  it('moves into an existing folder, and moves folders', async () => {
    await call(moveFileTool, { source_path: 'a.txt', destination_path: 'dir' }, ws.ctx);
    expect(await readdir(join(ws.root, 'dir'))).toEqual(['a.txt']);
    await call(moveFileTool, { source_path: 'dir', destination_path: 'renamed' }, ws.ctx);
    expect(await readdir(ws.root)).toEqual(['renamed']);
  });

  it('moves a symlink itself, not its target', async () => {
    await symlink('a.txt', join(ws.root, 'link'));
    await call(moveFileTool, { source_path: 'link', destination_path: 'dir/link2' }, ws.ctx);
    expect(await readlink(join(ws.root, 'dir/link2'))).toBe('a.txt');
    expect(await readFile(join(ws.root, 'a.txt'), 'utf8')).toBe('alpha');
  });

  it.each([
    [{ source_path: 'nope', destination_path: 'b' }, 'Error: no such file or directory nope', 'AGT_ERR_FILE_NOT_FOUND'],
    [{ source_path: '.', destination_path: 'b' }, 'Error: the workspace root cannot be moved', 'AGT_ERR_FILE_OPERATION_FAILED'],
    [{ source_path: 'dir', destination_path: 'dir/sub' }, 'Error: Invalid argument: dir', 'AGT_ERR_FILE_OPERATION_FAILED'],
  ])('%o → error data', async (input, message, code) => {
    expect(await call(moveFileTool, input, ws.ctx)).toEqual({ error: true, message, code });
  });

  it('refuses to clobber a same-named entry inside the destination folder', async () => {
    await writeFile(join(ws.root, 'dir/a.txt'), 'other');
    expect(await call(moveFileTool, { source_path: 'a.txt', destination_path: 'dir' }, ws.ctx)).toEqual({
      error: true,
      message: "Error: Destination path 'dir/a.txt' already exists",
      code: 'AGT_ERR_FILE_OPERATION_FAILED',
    });
    expect(await readFile(join(ws.root, 'dir/a.txt'), 'utf8')).toBe('other');
  });
});
