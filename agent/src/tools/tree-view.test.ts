import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, createTestWorkspace } from './support/workspace.test-support.js';
import type { TestWorkspace } from './support/workspace.test-support.js';
import { treeViewTool } from './tree-view.js';

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await createTestWorkspace({ TOOL_OUTPUT_MAX_BYTES: '1024' });
  for (const f of ['b.txt', 'a/x.py', 'a/y.pyc', 'a/deep/z.txt', 'a/deep/deeper/w.txt', '.git/HEAD', 'node_modules/m/index.js']) {
    await mkdir(join(ws.root, f, '..'), { recursive: true });
    await writeFile(join(ws.root, f), '');
  }
});
afterEach(() => ws.cleanup());

describe('tree_view', () => {
  it('draws a sorted tree two levels deep by default, hiding dotfiles', async () => {
    const root = basename(ws.root);
    expect(await call(treeViewTool, {}, ws.ctx)).toBe(
      [`${root}/`, '├── a', '│   ├── deep', '│   ├── x.py', '│   └── y.pyc', '├── b.txt', '└── node_modules', '    └── m'].join('\n'),
    );
  });

  it('honours max_depth, exclude (names and * globs) and show_hidden', async () => {
    expect(await call(treeViewTool, { path: 'a', max_depth: 3, exclude: ['*.pyc', 'deeper'] }, ws.ctx)).toBe(
      ['a/', '├── deep', '│   └── z.txt', '└── x.py'].join('\n'),
    );
    expect(await call(treeViewTool, { max_depth: 1, show_hidden: true, exclude: ['node_modules'] }, ws.ctx)).toBe(
      [`${basename(ws.root)}/`, '├── .git', '├── a', '└── b.txt'].join('\n'),
    );
  });

  it('shows in-workspace symlinked folders without entering them, and hides links leaving the workspace', async () => {
    await symlink(join(ws.root, 'a'), join(ws.root, 'loop'));
    await symlink(ws.outside, join(ws.root, 'escape'));
    const out = (await call(treeViewTool, { max_depth: 5, exclude: ['a', 'node_modules'] }, ws.ctx)) as string;
    expect(out.split('\n').slice(1)).toEqual(['├── b.txt', '└── loop']);
  });

  it('caps the output', async () => {
    for (let i = 0; i < 100; i++) await writeFile(join(ws.root, `many-files-${i}.txt`), '');
    const out = (await call(treeViewTool, {}, ws.ctx)) as string;
    expect(out.endsWith('... (output truncated at 1024 bytes)')).toBe(true);
  });

  it.each(['nope', 'b.txt'])('%s → error data', async (path) => {
    expect(await call(treeViewTool, { path }, ws.ctx)).toEqual({
      error: true,
      message: `Error: Directory '${path}' does not exist.`,
      code: 'AGT_ERR_FILE_NOT_FOUND',
    });
  });
});
