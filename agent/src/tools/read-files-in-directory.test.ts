import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFilesInDirectoryTool } from './read-files-in-directory.js';
import { call, createTestWorkspace } from './support/workspace.test-support.js';
import type { TestWorkspace } from './support/workspace.test-support.js';

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await createTestWorkspace({ TOOL_OUTPUT_MAX_BYTES: '4096' });
  const files: Record<string, string> = { 'a.py': 'print(1)', 'b.md': '# B', 'c.bin': '', 'sub/d.py': 'print(4)', '.git/e.py': 'no' };
  for (const [f, text] of Object.entries(files)) {
    await mkdir(join(ws.root, 'dir', f, '..'), { recursive: true });
    await writeFile(join(ws.root, 'dir', f), text);
  }
  await writeFile(join(ws.root, 'dir/c.bin'), Buffer.from([0xff, 0xfe]));
});
afterEach(() => ws.cleanup());

describe('read_files_in_directory', () => {
  it('reads the top level only by default, as --- FILE blocks', async () => {
    expect(await call(readFilesInDirectoryTool, { directory_path: 'dir', extensions: ['.py', 'md'] }, ws.ctx)).toBe(
      '--- FILE: a.py ---\nprint(1)\n\n--- FILE: b.md ---\n# B\n',
    );
  });

  it('recurses on request, skipping hidden folders, up to max_files', async () => {
    expect(await call(readFilesInDirectoryTool, { directory_path: 'dir', extensions: ['.py'], recursive: true }, ws.ctx)).toBe(
      '--- FILE: a.py ---\nprint(1)\n\n--- FILE: sub/d.py ---\nprint(4)\n',
    );
    expect(await call(readFilesInDirectoryTool, { directory_path: 'dir', recursive: true, max_files: 1 }, ws.ctx)).toBe(
      '--- FILE: a.py ---\nprint(1)\n',
    );
  });

  it('truncates each file at max_size_per_file characters and reports unreadable files in place', async () => {
    await writeFile(join(ws.root, 'dir/a.py'), 'ééééé-long');
    const out = await call(readFilesInDirectoryTool, { directory_path: 'dir', extensions: ['.py', '.bin'], max_size_per_file: 5 }, ws.ctx);
    expect(out).toBe('--- FILE: a.py ---\nééééé\n...[TRUNCATED]...\n\n--- FILE: c.bin ---\nError reading file: not valid UTF-8 text: c.bin\n');
  });

  it('caps the whole output', async () => {
    for (let i = 0; i < 5; i++) await writeFile(join(ws.root, `dir/big${i}.txt`), 'x'.repeat(2000));
    const out = (await call(readFilesInDirectoryTool, { directory_path: 'dir', extensions: ['.txt'] }, ws.ctx)) as string;
    expect(out.endsWith('... (output truncated at 4096 bytes)')).toBe(true);
  });

  it('skips symlinks that leave the workspace', async () => {
    await writeFile(join(ws.outside, 'secret.py'), 'SECRET');
    await symlink(join(ws.outside, 'secret.py'), join(ws.root, 'dir/secret.py'));
    await symlink(ws.outside, join(ws.root, 'dir/outdir'));
    const out = await call(readFilesInDirectoryTool, { directory_path: 'dir', recursive: true }, ws.ctx);
    expect(out).not.toContain('SECRET');
  });

  it.each([
    ['nope', "Error: Directory 'nope' does not exist or is not a directory.", 'AGT_ERR_FILE_NOT_FOUND'],
    ['dir/a.py', "Error: Directory 'dir/a.py' does not exist or is not a directory.", 'AGT_ERR_FILE_NOT_FOUND'],
  ])('%s → error data', async (directory_path, message, code) => {
    expect(await call(readFilesInDirectoryTool, { directory_path }, ws.ctx)).toEqual({ error: true, message, code });
  });

  it('says so when no file matches', async () => {
    expect(await call(readFilesInDirectoryTool, { directory_path: 'dir', extensions: ['.rs'] }, ws.ctx)).toBe("No matching files found in 'dir'.");
  });
});
