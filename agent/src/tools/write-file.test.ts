import { chmod, mkdir, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, createTestWorkspace } from './support/workspace.test-support.js';
import type { TestWorkspace } from './support/workspace.test-support.js';
import { writeFileTool } from './write-file.js';

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await createTestWorkspace();
});
afterEach(() => ws.cleanup());

describe('write_file', () => {
  it('is mutating', () => expect(writeFileTool.mutating).toBe(true));

  it('creates a file and its folders', async () => {
    expect(await call(writeFileTool, { file_path: 'a/b/c.txt', text: 'hi' }, ws.ctx)).toBe('File written successfully to a/b/c.txt.');
    expect(await readFile(join(ws.root, 'a/b/c.txt'), 'utf8')).toBe('hi');
  });

  it('overwrites by default and appends on request, keeping the mode', async () => {
    const file = join(ws.root, 'log.txt');
    await writeFile(file, 'one\n');
    await chmod(file, 0o640);
    await call(writeFileTool, { file_path: 'log.txt', text: 'two\n', append: true }, ws.ctx);
    expect(await readFile(file, 'utf8')).toBe('one\ntwo\n');
    await call(writeFileTool, { file_path: 'log.txt', text: 'new' }, ws.ctx);
    expect(await readFile(file, 'utf8')).toBe('new');
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    expect(await readdir(ws.root)).toEqual(['log.txt']);
  });

  it('replaces an in-workspace symlink target atomically, leaving no temp files', async () => {
    await writeFile(join(ws.root, 'real.txt'), 'old');
    await symlink('real.txt', join(ws.root, 'link.txt'));
    await call(writeFileTool, { file_path: 'link.txt', text: 'new' }, ws.ctx);
    expect(await readFile(join(ws.root, 'real.txt'), 'utf8')).toBe('new');
    expect((await readdir(ws.root)).sort()).toEqual(['link.txt', 'real.txt']);
  });

  it.each([
    ['dir', 'Error: Is a directory: dir', 'AGT_ERR_FILE_OPERATION_FAILED'],
    ['file.txt/child.txt', 'Error: Not a directory: file.txt/child.txt', 'AGT_ERR_FILE_OPERATION_FAILED'],
  ])('%s → error data', async (file_path, message, code) => {
    await mkdir(join(ws.root, 'dir'));
    await writeFile(join(ws.root, 'file.txt'), 'x');
    expect(await call(writeFileTool, { file_path, text: 'x' }, ws.ctx)).toEqual({ error: true, message, code });
  });

  it('reports a read-only folder as data and leaves nothing behind', async () => {
    if (process.getuid?.() === 0) return; // root ignores permissions
    await mkdir(join(ws.root, 'ro'));
    await writeFile(join(ws.root, 'ro/keep.txt'), 'old');
    await chmod(join(ws.root, 'ro'), 0o555);
    try {
      const out = await call(writeFileTool, { file_path: 'ro/keep.txt', text: 'new' }, ws.ctx);
      expect(out).toEqual({ error: true, message: 'Error: Permission denied: ro/keep.txt', code: 'AGT_ERR_FILE_OPERATION_FAILED' });
      expect(await readFile(join(ws.root, 'ro/keep.txt'), 'utf8')).toBe('old');
    } finally {
      await chmod(join(ws.root, 'ro'), 0o755);
    }
  });
});
