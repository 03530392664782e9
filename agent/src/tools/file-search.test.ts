import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileSearchTool } from './file-search.js';
import { call, createTestWorkspace } from './support/workspace.test-support.js';
import type { TestWorkspace } from './support/workspace.test-support.js';

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await createTestWorkspace();
  for (const f of ['a.py', 'b.md', '.env.py', 'src/c.py', 'src/deep/d.py', 'src/deep/test_e.py', 'docs/f.md']) {
    await mkdir(join(ws.root, f, '..'), { recursive: true });
    await writeFile(join(ws.root, f), '');
  }
});
afterEach(() => ws.cleanup());

describe('file_search', () => {
  it.each([
    ['*.py', '.env.py\na.py\nsrc/c.py\nsrc/deep/d.py\nsrc/deep/test_e.py'],
    ['test_*', 'src/deep/test_e.py'],
    ['[ab].*', 'a.py\nb.md'],
    ['?.md', 'b.md\ndocs/f.md'],
    ['src/deep/*.py', 'src/deep/d.py\nsrc/deep/test_e.py'],
  ])('%s matches recursively, relative to the folder', async (pattern, expected) => {
    expect(await call(fileSearchTool, { pattern }, ws.ctx)).toBe(expected);
  });

  it('searches below dir_path, reporting paths relative to it', async () => {
    expect(await call(fileSearchTool, { dir_path: 'src', pattern: '*.py' }, ws.ctx)).toBe('c.py\ndeep/d.py\ndeep/test_e.py');
  });

  it('says so when nothing matches', async () => {
    expect(await call(fileSearchTool, { dir_path: 'src', pattern: '*.rs' }, ws.ctx)).toBe('No files found for pattern *.rs in directory src');
  });

  it('does not walk into symlinks that leave the workspace', async () => {
    await writeFile(join(ws.outside, 'secret.py'), '');
    await symlink(ws.outside, join(ws.root, 'out'));
    await symlink(join(ws.outside, 'secret.py'), join(ws.root, 'secret-link.py'));
    expect(await call(fileSearchTool, { pattern: 'secret*' }, ws.ctx)).toBe('No files found for pattern secret* in directory .');
  });

  it('caps the output', async () => {
    const small = await createTestWorkspace({ TOOL_OUTPUT_MAX_BYTES: '1024' });
    try {
      for (let i = 0; i < 100; i++) await writeFile(join(small.root, `file-number-${i}.txt`), '');
      const out = (await call(fileSearchTool, { pattern: '*.txt' }, small.ctx)) as string;
      expect(out.endsWith('... (output truncated at 1024 bytes)')).toBe(true);
    } finally {
      await small.cleanup();
    }
  });

  it('reports a pattern the glob engine rejects as data', async () => {
    expect(await call(fileSearchTool, { pattern: '*'.repeat(70_000) }, ws.ctx)).toMatchObject({ error: true, code: 'AGT_ERR_PATTERN_INVALID' });
  });

  it('reports a missing folder as data', async () => {
    expect(await call(fileSearchTool, { dir_path: 'nope', pattern: '*' }, ws.ctx)).toEqual({
      error: true,
      message: 'Error: no such directory: nope',
      code: 'AGT_ERR_FILE_NOT_FOUND',
    });
  });
});
