import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { displayPath, isInsideWorkspace, resolveEntryInWorkspace, resolveInWorkspace } from './path-sandbox.js';
import { createTestWorkspace } from './workspace.test-support.js';
import type { TestWorkspace } from './workspace.test-support.js';

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await createTestWorkspace();
  await mkdir(join(ws.root, 'docs'));
  await writeFile(join(ws.root, 'docs/a.md'), 'a');
  await symlink('docs/a.md', join(ws.root, 'link.md'));
  await symlink('docs/not-yet.md', join(ws.root, 'dangling-in.md'));
  await symlink(join(ws.outside, 'nope'), join(ws.root, 'dangling-out'));
});
afterEach(() => ws.cleanup());

describe('path sandbox', () => {
  it('resolves relative, absolute and not-yet-existing paths inside the root', async () => {
    expect(await resolveInWorkspace(ws.ctx, 't', 'docs/../docs/a.md')).toBe(join(ws.root, 'docs/a.md'));
    expect(await resolveInWorkspace(ws.ctx, 't', join(ws.root, 'docs'))).toBe(join(ws.root, 'docs'));
    expect(await resolveInWorkspace(ws.ctx, 't', 'new/dir/file.txt')).toBe(join(ws.root, 'new/dir/file.txt'));
    expect(await resolveInWorkspace(ws.ctx, 't', '')).toBe(ws.root);
  });

  it('follows symlinks, including dangling ones, to where they point', async () => {
    expect(await resolveInWorkspace(ws.ctx, 't', 'link.md')).toBe(join(ws.root, 'docs/a.md'));
    expect(await resolveInWorkspace(ws.ctx, 't', 'dangling-in.md')).toBe(join(ws.root, 'docs/not-yet.md'));
    await expect(resolveInWorkspace(ws.ctx, 't', 'dangling-out')).rejects.toMatchObject({ code: 'AGT_ERR_PATH_OUTSIDE_WORKSPACE' });
  });

  it('resolveEntryInWorkspace returns the link itself, after the same checks', async () => {
    expect(await resolveEntryInWorkspace(ws.ctx, 't', 'link.md')).toBe(join(ws.root, 'link.md'));
    expect(await resolveEntryInWorkspace(ws.ctx, 't', '.')).toBe(ws.root);
    await expect(resolveEntryInWorkspace(ws.ctx, 't', 'dangling-out')).rejects.toMatchObject({ code: 'AGT_ERR_PATH_OUTSIDE_WORKSPACE' });
  });

  it('reports each refusal once to onSecurityEvent, with the requested and resolved paths', async () => {
    await expect(resolveInWorkspace(ws.ctx, 'read_file', '../outside/x')).rejects.toThrow(/Path not allowed: \.\.\/outside\/x\. Allowed root: /);
    expect(ws.events).toEqual([
      {
        type: 'path_traversal',
        tool: 'read_file',
        detail: { requested_path: '../outside/x', resolved_path: join(ws.outside, 'x'), allowed_root: ws.root, reason: 'resolves outside the workspace' },
      },
    ]);
  });

  it('displays paths relative to the root with forward slashes', () => {
    expect(displayPath(ws.ctx, join(ws.root, 'docs/a.md'))).toBe('docs/a.md');
    expect(displayPath(ws.ctx, ws.root)).toBe('.');
    expect(isInsideWorkspace(ws.ctx, ws.outside)).toBe(false);
    expect(isInsideWorkspace(ws.ctx, `${ws.root}-sibling`)).toBe(false);
  });
});
