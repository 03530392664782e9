import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { multiReplaceInFileTool } from './multi-replace-in-file.js';
import { call, createTestWorkspace } from './support/workspace.test-support.js';
import type { TestWorkspace } from './support/workspace.test-support.js';

let ws: TestWorkspace;
const text = 'def foo(a):\n    return foo_bar(a) + $price\nFOO = 1\n';
beforeEach(async () => {
  ws = await createTestWorkspace();
  await writeFile(join(ws.root, 'm.py'), text);
});
afterEach(() => ws.cleanup());

const content = () => readFile(join(ws.root, 'm.py'), 'utf8');

describe('multi_replace_in_file', () => {
  it('applies literal replacements in order, counting every occurrence', async () => {
    const out = await call(
      multiReplaceInFileTool,
      { path: 'm.py', replacements: [{ find: 'foo', replace: 'baz' }, { find: '', replace: 'never' }, { find: 'baz_bar', replace: '$1' }] },
      ws.ctx,
    );
    expect(out).toEqual({ error: false, path: 'm.py', changes: 3, note: 'Content updated with multiple replacements.' });
    expect(await content()).toBe('def baz(a):\n    return $1(a) + $price\nFOO = 1\n');
  });

  it('maps Python group references (\\1, \\g<n>, \\g<name>) and JS ones ($1)', async () => {
    const out = await call(
      multiReplaceInFileTool,
      {
        path: 'm.py',
        replacements: [
          { find: 'def (\\w+)\\((\\w)\\)', replace: 'def \\1_v2(\\g<2>0, \\g<0>)' },
          { find: '(?P<name>foo_bar)', replace: '<\\g<name>|$1>' },
          { find: '^foo = (\\d)$', replace: 'FOO = \\1\\n# done' },
        ],
        use_regex: true,
        flags: 'im',
      },
      ws.ctx,
    );
    expect(out).toMatchObject({ error: false, changes: 3 });
    expect(await content()).toBe('def foo_v2(a0, def foo(a)):\n    return <foo_bar|foo_bar>(a) + $price\nFOO = 1\n# done\n');
  });

  it('reports no change when nothing matched (or the text is identical)', async () => {
    const none = { error: false, path: 'm.py', changes: 0, message: 'No matches replaced.' };
    expect(await call(multiReplaceInFileTool, { path: 'm.py', replacements: [{ find: 'zzz', replace: 'y' }] }, ws.ctx)).toEqual(none);
    expect(await call(multiReplaceInFileTool, { path: 'm.py', replacements: [{ find: 'foo', replace: 'foo' }] }, ws.ctx)).toEqual(none);
    expect(await content()).toBe(text);
  });

  it('writes nothing when a later regex is invalid', async () => {
    const out = await call(
      multiReplaceInFileTool,
      { path: 'm.py', replacements: [{ find: 'foo', replace: 'x' }, { find: '(unclosed', replace: 'y' }], use_regex: true },
      ws.ctx,
    );
    expect(out).toEqual({
      error: true,
      message: "Invalid regex '(unclosed': Invalid regular expression: /(unclosed/g: Unterminated group",
      code: 'AGT_ERR_PATTERN_INVALID',
    });
    expect(await content()).toBe(text);
  });

  it('reports a missing file as data', async () => {
    expect(await call(multiReplaceInFileTool, { path: 'nope.py', replacements: [{ find: 'a', replace: 'b' }] }, ws.ctx)).toEqual({
      error: true,
      message: 'Error: no such file or directory: nope.py',
      code: 'AGT_ERR_FILE_NOT_FOUND',
    });
  });

  it('requires replace in each edit', () => {
    expect(multiReplaceInFileTool.schema.safeParse({ path: 'm.py', replacements: [{ find: 'a' }] }).success).toBe(false);
  });
});
