import { lstat, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyPatchTool } from '../apply-patch.js';
import { copyFileTool } from '../copy-file.js';
import { fileDeleteTool } from '../file-delete.js';
import { fileSearchTool } from '../file-search.js';
import { grepSearchTool } from '../grep-search.js';
import { listDirectoryTool } from '../list-directory.js';
import { moveFileTool } from '../move-file.js';
import { multiReplaceInFileTool } from '../multi-replace-in-file.js';
import { readFileTool } from '../read-file.js';
import { readFilesInDirectoryTool } from '../read-files-in-directory.js';
import { call, createTestWorkspace } from './workspace.test-support.js';
import type { TestWorkspace } from './workspace.test-support.js';
import { treeViewTool } from '../tree-view.js';
import type { ToolDefinition, ToolResult } from './types.js';
import { writeFileTool } from '../write-file.js';

const SECRET = 'CANARY-SECRET-7f3a';
const REFUSED = 'AGT_ERR_PATH_OUTSIDE_WORKSPACE';

let ws: TestWorkspace;
/** The directory holding both the workspace and the canary: nothing in it may change but the workspace. */
let base: string;

interface Attack {
  name: string;
  path: (ws: TestWorkspace) => string;
  /** 'refused': AGT_ERR_PATH_OUTSIDE_WORKSPACE; 'inside': an odd but legal name inside the workspace. */
  expect: 'refused' | 'inside';
  /** Aims at a real system file: only tried with tools that cannot write (the tests run as root here). */
  readOnly?: boolean;
}

const o = (ws: TestWorkspace) => ws.outside;
const attacks: Attack[] = [
  { name: 'parent dir', path: () => '..', expect: 'refused' },
  { name: 'parent dir, trailing slash', path: () => '../', expect: 'refused' },
  { name: 'relative escape to the canary', path: () => '../outside/canary.txt', expect: 'refused' },
  { name: 'long ../ chain', path: (w) => `${'../'.repeat(12)}${o(w).slice(1)}/canary.txt`, expect: 'refused' },
  { name: './ then ..', path: () => './../outside/canary.txt', expect: 'refused' },
  { name: 'down then up past the root', path: () => 'sub/../../outside/canary.txt', expect: 'refused' },
  { name: 'doubled slashes', path: () => '..//outside//canary.txt', expect: 'refused' },
  { name: 'dot segments mixed in', path: () => '.././outside/./canary.txt', expect: 'refused' },
  { name: 'outside dir, trailing slash', path: () => '../outside/', expect: 'refused' },
  { name: 'absolute canary file', path: (w) => join(o(w), 'canary.txt'), expect: 'refused' },
  { name: 'absolute canary dir', path: (w) => o(w), expect: 'refused' },
  { name: 'absolute sibling with the root as prefix', path: (w) => `${w.root}-evil/x.txt`, expect: 'refused' },
  { name: 'filesystem root', path: () => '/', expect: 'refused', readOnly: true },
  { name: 'absolute /etc/passwd', path: () => '/etc/passwd', expect: 'refused', readOnly: true },
  { name: '/proc/self/root escape', path: () => '/proc/self/root/etc/passwd', expect: 'refused', readOnly: true },
  { name: 'device file', path: () => '/dev/zero', expect: 'refused', readOnly: true },
  { name: 'percent-encoded ../', path: () => '%2e%2e%2foutside%2fcanary.txt', expect: 'refused' },
  { name: 'percent-encoded dots only', path: () => '%2e%2e/outside/canary.txt', expect: 'refused' },
  { name: 'percent-encoded slash only', path: () => '..%2foutside%2fcanary.txt', expect: 'refused' },
  { name: 'double-encoded', path: () => '%252e%252e%252foutside%252fcanary.txt', expect: 'refused' },
  { name: 'encoded backslash', path: () => '..%5coutside%5ccanary.txt', expect: 'refused' },
  { name: 'backslash traversal', path: () => '..\\outside\\canary.txt', expect: 'refused' },
  { name: 'mixed slashes', path: () => '..\\/outside/canary.txt', expect: 'refused' },
  { name: 'windows device path', path: () => '\\\\?\\C:\\outside', expect: 'refused' },
  { name: 'NUL byte', path: () => 'canary.txt\0.png', expect: 'refused' },
  { name: 'NUL after traversal', path: () => '../outside/canary.txt\0', expect: 'refused' },
  { name: 'symlink to an outside dir', path: () => 'link-dir-out', expect: 'refused' },
  { name: 'path through a symlinked outside dir', path: () => 'link-dir-out/canary.txt', expect: 'refused' },
  { name: 'symlinked dir, trailing slash', path: () => 'link-dir-out/', expect: 'refused' },
  { name: 'symlinked dir, trailing /.', path: () => 'link-dir-out/.', expect: 'refused' },
  { name: 'new file through a symlinked dir', path: () => 'link-dir-out/new.txt', expect: 'refused' },
  { name: 'symlink to an outside file', path: () => 'link-file-out', expect: 'refused' },
  { name: 'symlink chain ending outside', path: () => 'chain1/canary.txt', expect: 'refused' },
  { name: 'relative symlink escaping', path: () => 'rel-escape/canary.txt', expect: 'refused' },
  { name: 'symlink to the parent inside a subdir', path: () => 'inner/up/outside/canary.txt', expect: 'refused' },
  { name: 'dangling symlink to outside', path: () => 'dangling-out', expect: 'refused' },
  { name: 'through a dangling symlinked dir', path: () => 'dangling-out-dir/new.txt', expect: 'refused' },
  { name: 'symlink loop', path: () => 'loop1', expect: 'refused' },
  { name: 'symlinked dir then .. (lexically inside)', path: () => 'link-dir-out/../odd-1.txt', expect: 'inside' },
  { name: 'four dots', path: () => '....//....//odd-2.txt', expect: 'inside' },
  { name: 'tilde', path: () => '~', expect: 'inside' },
  { name: 'tilde home file', path: () => '~/odd-3.txt', expect: 'inside' },
  { name: 'tilde user', path: () => '~root/odd-4.txt', expect: 'inside' },
  { name: 'two-dot leader lookalike', path: () => '\u2025/odd-5.txt', expect: 'inside' },
  { name: 'fullwidth dots and slash', path: () => '\uff0e\uff0e\uff0fodd-6.txt', expect: 'inside' },
  { name: 'division slash lookalike', path: () => '..\u2215odd-7.txt', expect: 'inside' },
  { name: 'file URL', path: () => 'file:///etc/passwd', expect: 'inside' },
  { name: 'windows drive path', path: () => 'C:\\Windows\\odd-8.txt', expect: 'inside' },
];

/** One way of handing a hostile path to a tool; `run` re-creates whatever seed it needs. */
interface Use {
  label: string;
  tool: ToolDefinition;
  writes: boolean;
  run: (p: string) => Promise<ToolResult>;
}

const seed = async (name: string) => writeFile(join(ws.root, name), `seed ${SECRET.length}\n`);
const patch = `--- a/canary.txt\n+++ b/canary.txt\n@@ -1 +1 @@\n-${SECRET}\n+PWNED\n`;

const uses: Use[] = [
  { label: 'read_file', tool: readFileTool, writes: false, run: (p) => call(readFileTool, { file_path: p }, ws.ctx) },
  { label: 'write_file', tool: writeFileTool, writes: true, run: (p) => call(writeFileTool, { file_path: p, text: 'PWNED' }, ws.ctx) },
  {
    label: 'write_file (append)',
    tool: writeFileTool,
    writes: true,
    run: (p) => call(writeFileTool, { file_path: p, text: 'PWNED', append: true }, ws.ctx),
  },
  {
    label: 'copy_file (source)',
    tool: copyFileTool,
    writes: true,
    run: (p) => call(copyFileTool, { source_path: p, destination_path: 'stolen-copy.txt' }, ws.ctx),
  },
  {
    label: 'copy_file (destination)',
    tool: copyFileTool,
    writes: true,
    run: async (p) => (await seed('seed-copy.txt'), call(copyFileTool, { source_path: 'seed-copy.txt', destination_path: p }, ws.ctx)),
  },
  {
    label: 'move_file (source)',
    tool: moveFileTool,
    writes: true,
    run: (p) => call(moveFileTool, { source_path: p, destination_path: 'stolen-move' }, ws.ctx),
  },
  {
    label: 'move_file (destination)',
    tool: moveFileTool,
    writes: true,
    run: async (p) => (await seed('seed-move.txt'), call(moveFileTool, { source_path: 'seed-move.txt', destination_path: p }, ws.ctx)),
  },
  { label: 'file_delete', tool: fileDeleteTool, writes: true, run: (p) => call(fileDeleteTool, { file_path: p }, ws.ctx) },
  { label: 'list_directory', tool: listDirectoryTool, writes: false, run: (p) => call(listDirectoryTool, { dir_path: p }, ws.ctx) },
  { label: 'file_search', tool: fileSearchTool, writes: false, run: (p) => call(fileSearchTool, { dir_path: p, pattern: '*' }, ws.ctx) },
  { label: 'grep_search', tool: grepSearchTool, writes: false, run: (p) => call(grepSearchTool, { query: 'CANARY', directory: p }, ws.ctx) },
  {
    label: 'multi_replace_in_file',
    tool: multiReplaceInFileTool,
    writes: true,
    run: (p) => call(multiReplaceInFileTool, { path: p, replacements: [{ find: SECRET, replace: 'PWNED' }] }, ws.ctx),
  },
  { label: 'apply_patch', tool: applyPatchTool, writes: true, run: (p) => call(applyPatchTool, { target_file: p, diff_content: patch }, ws.ctx) },
  {
    label: 'read_files_in_directory',
    tool: readFilesInDirectoryTool,
    writes: false,
    run: (p) => call(readFilesInDirectoryTool, { directory_path: p, recursive: true }, ws.ctx),
  },
  { label: 'tree_view', tool: treeViewTool, writes: false, run: (p) => call(treeViewTool, { path: p, max_depth: 5, show_hidden: true }, ws.ctx) },
];

/** Every path under `dir` (not following links) with its bytes or link target: compared before and after. */
async function snapshot(dir: string, skip: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of await readdir(dir, { recursive: true })) {
    const path = join(dir, name);
    if (path === skip || path.startsWith(`${skip}/`)) continue;
    const st = await lstat(path);
    out[relative(dir, path)] = st.isFile() ? (await readFile(path)).toString('base64') : st.isDirectory() ? 'dir' : 'link';
  }
  return out;
}

let before: Record<string, string>;
let passwd: string;

beforeAll(async () => {
  ws = await createTestWorkspace();
  base = dirname(ws.root);
  await writeFile(join(ws.outside, 'canary.txt'), `${SECRET}\n`);
  await mkdir(join(ws.outside, 'sub'));
  await writeFile(join(ws.outside, 'sub/inner.txt'), `${SECRET} inner\n`);
  await writeFile(join(base, 'beside-workspace.txt'), `${SECRET} beside\n`);
  await mkdir(join(ws.root, 'sub'));
  await mkdir(join(ws.root, 'inner'));
  await symlink(ws.outside, join(ws.root, 'link-dir-out'));
  await symlink(join(ws.outside, 'canary.txt'), join(ws.root, 'link-file-out'));
  await symlink('link-dir-out', join(ws.root, 'chain2'));
  await symlink('chain2', join(ws.root, 'chain1'));
  await symlink('../outside', join(ws.root, 'rel-escape'));
  await symlink('../..', join(ws.root, 'inner/up'));
  await symlink(join(ws.outside, 'missing.txt'), join(ws.root, 'dangling-out'));
  await symlink(join(ws.outside, 'newdir'), join(ws.root, 'dangling-out-dir'));
  await symlink('loop2', join(ws.root, 'loop1'));
  await symlink('loop1', join(ws.root, 'loop2'));
  before = await snapshot(base, ws.root);
  passwd = await readFile('/etc/passwd', 'utf8');
});

afterAll(() => ws.cleanup());

beforeEach(() => {
  ws.events.length = 0;
});

describe('file tools under attack', () => {
  it('covers at least 30 hostile inputs and every file tool', () => {
    expect(attacks.length).toBeGreaterThanOrEqual(30);
    expect(new Set(uses.map((u) => u.tool.name)).size).toBe(12);
  });

  describe.each(uses)('$label', (use) => {
    const applicable = attacks.filter((a) => !(a.readOnly && use.writes));

    it.each(applicable)('$name → $expect', async (attack) => {
      const result = await use.run(attack.path(ws));
      expect(JSON.stringify(result)).not.toContain(SECRET);
      if (attack.expect === 'refused') {
        expect(result).toMatchObject({ error: true, code: REFUSED });
        expect(ws.events.length).toBeGreaterThanOrEqual(1);
        expect(ws.events[0]).toMatchObject({ type: 'path_traversal', tool: use.tool.name });
      } else {
        expect(result).not.toMatchObject({ code: REFUSED });
        expect(ws.events).toEqual([]);
      }
    });
  });

  it('left everything outside the workspace byte-identical, with no new files', async () => {
    expect(await snapshot(base, ws.root)).toEqual(before);
    expect(await readFile('/etc/passwd', 'utf8')).toBe(passwd);
  });
});
