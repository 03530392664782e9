import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyPatchTool } from './apply-patch.js';
import { call, createTestWorkspace } from './support/workspace.test-support.js';
import type { TestWorkspace } from './support/workspace.test-support.js';

let ws: TestWorkspace;
const original = 'one\ntwo\nthree\n';
beforeEach(async () => {
  ws = await createTestWorkspace();
  await writeFile(join(ws.root, 'a.txt'), original);
  await writeFile(join(ws.root, 'b.txt'), 'bee\n');
});
afterEach(() => ws.cleanup());

const content = (f = 'a.txt') => readFile(join(ws.root, f), 'utf8');

describe('apply_patch', () => {
  it('applies the first file patch to the target whatever its headers say', async () => {
    const diff = [
      '--- a/elsewhere/other.txt',
      '+++ b/elsewhere/other.txt',
      '@@ -1,3 +1,3 @@',
      ' one',
      '-two',
      '+TWO',
      ' three',
      '--- a/b.txt',
      '+++ b/b.txt',
      '@@ -1 +1 @@',
      '-bee',
      '+BEE',
      '',
    ].join('\n');
    expect(await call(applyPatchTool, { target_file: 'a.txt', diff_content: diff }, ws.ctx)).toEqual({
      error: false,
      path: 'a.txt',
      message: 'Patch applied successfully.',
    });
    expect(await content()).toBe('one\nTWO\nthree\n');
    expect(await content('b.txt')).toBe('bee\n');
  });

  it.each([
    ['garbage', 'not a diff at all', 'Could not parse diff content.'],
    ['empty', '', 'Could not parse diff content.'],
    ['a malformed hunk', '@@ -1,2 +1,2 @@\n-one\n', 'Could not parse diff content.'],
    ['headers only', '--- a/a.txt\n+++ b/a.txt\n', 'No patches found in diff.'],
    ['a non-matching hunk', '@@ -1 +1 @@\n-zzz\n+yyy\n', 'Failed to apply patch. Hunks might not match.'],
  ])('%s → error data, file untouched', async (_name, diff_content, message) => {
    expect(await call(applyPatchTool, { target_file: 'a.txt', diff_content }, ws.ctx)).toEqual({ error: true, message, code: 'AGT_ERR_PATCH_FAILED' });
    expect(await content()).toBe(original);
  });

  it('needs an existing target file', async () => {
    expect(await call(applyPatchTool, { target_file: 'new.txt', diff_content: '@@ -0,0 +1 @@\n+x\n' }, ws.ctx)).toEqual({
      error: true,
      message: "Target file 'new.txt' does not exist.",
      code: 'AGT_ERR_FILE_NOT_FOUND',
    });
  });
});
