import { mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFileTool } from './copy-file.js';
import { call, createTestWorkspace } from './support/workspace.test-support.js';
import type { TestWorkspace } from './support/workspace.test-support.js';

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await createTestWorkspace();
  await writeFile(join(ws.root, 'a.txt'), 'alpha');
  await mkdir(join(ws.root, 'dir'));
});
afterEach(() => ws.cleanup());

describe('copy_file', () => {
  it('copies a file, keeping its timestamps', async () => {
    const when = new Date('2020-01-02T03:04:05Z');
    await utimes(join(ws.root, 'a.txt'), when, when);
    expect(await call(copyFileTool, { source_path: 'a.txt', destination_path: 'new/b.txt' }, ws.ctx)).toBe(
      'File copied successfully from a.txt to new/b.txt.',
    );
    expect(await readFile(join(ws.root, 'new/b.txt'), 'utf8')).toBe('alpha');
    expect((await stat(join(ws.root, 'new/b.txt'))).mtime.getTime()).toBe(when.getTime());
    expect(await readFile(join(ws.root, 'a.txt'), 'utf8')).toBe('alpha');
  });

  it('copies into a folder under the same name', async () => {
    await call(copyFileTool, { source_path: 'a.txt', destination_path: 'dir' }, ws.ctx);
    expect(await readFile(join(ws.root, 'dir/a.txt'), 'utf8')).toBe('alpha');
  });

  it('overwrites an existing destination', async () => {
    await writeFile(join(ws.root, 'b.txt'), 'old');
    await call(copyFileTool, { source_path: 'a.txt', destination_path: 'b.txt' }, ws.ctx);
    expect(await readFile(join(ws.root, 'b.txt'), 'utf8')).toBe('alpha');
  });

  it.each([
    [{ source_path: 'nope.txt', destination_path: 'b.txt' }, 'Error: no such file or directory: nope.txt', 'AGT_ERR_FILE_NOT_FOUND'],
    [{ source_path: 'dir', destination_path: 'b' }, 'Error: Is a directory: dir', 'AGT_ERR_FILE_OPERATION_FAILED'],
    [{ source_path: 'a.txt', destination_path: './a.txt' }, "Error: 'a.txt' and './a.txt' are the same file", 'AGT_ERR_FILE_OPERATION_FAILED'],
  ])('%o → error data', async (input, message, code) => {
    expect(await call(copyFileTool, input, ws.ctx)).toEqual({ error: true, message, code });
  });
});
