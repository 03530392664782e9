import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { grepSearchTool } from './grep-search.js';
import { call, createTestWorkspace } from './support/workspace.test-support.js';
import type { TestWorkspace } from './support/workspace.test-support.js';

let ws: TestWorkspace;
beforeEach(async () => {
  ws = await createTestWorkspace({ TOOL_OUTPUT_MAX_BYTES: '1024' });
  const files: Record<string, string> = {
    'a.py': 'import os\n  def Foo():\n    return 1\n',
    'notes.md': 'foo bar\r\nFOO baz\r\n',
    'src/b.py': 'x = foo()\n',
    '.hidden/c.py': 'foo\n',
    'src/.secret.py': 'foo\n',
    'bin.dat': 'foo\0\x01\x02',
  };
  for (const [f, text] of Object.entries(files)) {
    await mkdir(join(ws.root, f, '..'), { recursive: true });
    await writeFile(join(ws.root, f), text);
  }
});
afterEach(() => ws.cleanup());

describe('grep_search', () => {
  it('prints rel:LINE: stripped text, skipping hidden paths and binary files', async () => {
    expect(await call(grepSearchTool, { query: 'foo' }, ws.ctx)).toBe('notes.md:1: foo bar\nsrc/b.py:1: x = foo()');
  });

  it('ignores case on request and filters by extension (with or without the dot)', async () => {
    expect(await call(grepSearchTool, { query: 'foo', case_sensitive: false, extensions: ['py'] }, ws.ctx)).toBe(
      'a.py:2: def Foo():\nsrc/b.py:1: x = foo()',
    );
    expect(await call(grepSearchTool, { query: 'foo', directory: 'src', extensions: ['.md'] }, ws.ctx)).toBe("No matches found for 'foo' in 'src'.");
  });

  it('treats the query as a regular expression, accepting Python named groups', async () => {
    expect(await call(grepSearchTool, { query: '^(?P<kw>import|return)\\b', extensions: ['.py'] }, ws.ctx)).toBe('a.py:1: import os');
    expect(await call(grepSearchTool, { query: '(?i)^foo baz$' }, ws.ctx)).toBe('notes.md:2: FOO baz');
  });

  it('stops at max_results', async () => {
    expect(await call(grepSearchTool, { query: 'o', max_results: 2 }, ws.ctx)).toBe('a.py:1: import os\na.py:2: def Foo():\n... (max results reached)');
  });

  it('caps the output at the byte limit', async () => {
    await writeFile(join(ws.root, 'many.txt'), `${'match this line please\n'.repeat(500)}`);
    const out = (await call(grepSearchTool, { query: 'match', max_results: 10_000 }, ws.ctx)) as string;
    expect(out.endsWith('... (output truncated at 1024 bytes)')).toBe(true);
    expect(Buffer.byteLength(out)).toBeLessThan(1200);
  });

  it('does not follow symlinks out of the workspace', async () => {
    await writeFile(join(ws.outside, 'leak.txt'), 'TOPSECRET\n');
    await symlink(ws.outside, join(ws.root, 'outdir'));
    await symlink(join(ws.outside, 'leak.txt'), join(ws.root, 'leak.txt'));
    expect(await call(grepSearchTool, { query: 'TOPSECRET' }, ws.ctx)).toBe("No matches found for 'TOPSECRET' in '.'.");
  });

  it.each([
    [{ query: '(' }, "Error: Invalid regex pattern '(': Invalid regular expression: /(/: Unterminated group", 'AGT_ERR_PATTERN_INVALID'],
    [{ query: 'x', directory: 'nope' }, "Error: Directory 'nope' does not exist.", 'AGT_ERR_FILE_NOT_FOUND'],
    [{ query: 'x', directory: 'a.py' }, "Error: Directory 'a.py' does not exist.", 'AGT_ERR_FILE_NOT_FOUND'],
  ])('%o → error data', async (input, message, code) => {
    expect(await call(grepSearchTool, input, ws.ctx)).toEqual({ error: true, message, code });
  });
});
