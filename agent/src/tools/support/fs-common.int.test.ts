import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomicCopyFile, atomicWriteFile, capBytes, compileGlob, compilePattern, listEntries, pySuffix, pythonReplacementToJs, readText, sliceCodePoints } from './fs-common.js';
import { createTestWorkspace } from './workspace.test-support.js';
import type { TestWorkspace } from './workspace.test-support.js';

describe('pythonReplacementToJs', () => {
  it.each([
    ['\\1', '$01'],
    ['\\g<2>0', '$020'],
    ['\\g<0>', '$&'],
    ['\\g<name>', '$<name>'],
    ['\\12', '$12'],
    ['a\\nb\\tc\\\\d', 'a\nb\tc\\d'],
    ['$1 stays', '$1 stays'],
    ['\\q unknown', '\\q unknown'],
    ['trailing\\', 'trailing\\'],
  ])('%s → %s', (py, js) => expect(pythonReplacementToJs(py)).toBe(js));
});

describe('compilePattern', () => {
  it('accepts Python named groups, leading inline flags and captureless lookbehind', () => {
    expect([...compilePattern('(?P<x>ab)-(?<y>cd)', '').matchAll('ab-cd')][0]?.groups).toEqual({ x: 'ab', y: 'cd' });
    expect(compilePattern('(?is)^a.b', '').test('A\nB')).toBe(true);
    expect(compilePattern('(?i)x', 'g').test('X')).toBe(true);
    expect(compilePattern('^b', 'm').test('a\nb')).toBe(true);
    expect(compilePattern('(?<=\\$)\\d+', '').test('$5')).toBe(true);
  });

  it('throws SyntaxError on an invalid pattern', () => expect(() => compilePattern('[', '')).toThrow(SyntaxError));

  it.each(['(a)\\1', '(?P<x>a)(?P=x)', '(?<n>a)\\k<n>', 'a(?=b)', 'a(?!b)'])('refuses %s as unsupported by RE2, with a code', (p) =>
    expect(() => compilePattern(p, '')).toThrow(expect.objectContaining({ code: 'AGT_ERR_PATTERN_UNSUPPORTED', message: expect.stringMatching(/RE2/) })),
  );
});

describe('small helpers', () => {
  it('pySuffix follows PurePath.suffix', () => {
    expect(['a.tar.gz', '.bashrc', 'README', 'x.', 'a.py'].map(pySuffix)).toEqual(['.gz', '', '', '', '.py']);
  });

  it('capBytes never splits a character; sliceCodePoints counts code points', () => {
    expect(capBytes('éé', 3)).toEqual({ text: 'é', truncated: true });
    expect(capBytes('ab', 3)).toEqual({ text: 'ab', truncated: false });
    expect(sliceCodePoints('😀😀😀', 2)).toEqual({ text: '😀😀', truncated: true });
    expect(sliceCodePoints('😀😀', 2)).toEqual({ text: '😀😀', truncated: false });
  });
});

describe('compileGlob', () => {
  const globs = ['*.py', 'test_*', '[ab].*', '[^ab]*', '?.md', 'src/deep/*.py', 'src/**/*.ts', '**/x', 'src/**', '**', '*', '{a,b}.txt', 'a{b,c{d,e}}f', '\\*.md', 'a.b+c(1)', '*a*a*b', '.env*', 'a**b'];
  const paths = ['a.py', '.env.py', 'test_e.py', 'b.md', 'c.md', 'src/deep/d.py', 'src/a.ts', 'src/x/y/a.ts', 'x', 'a/b/x', 'src', 'src/q', 'a.txt', 'b.txt', 'c.txt', 'abdf', 'acef', 'ab', '*.md', 'a.b+c(1)', 'xaxab', 'aab', 'a/b', 'aXb', '.env', 'a/x/b'];
  it.each(globs)('%s matches the same paths as picomatch with dot: true', (glob) => {
    const oracle = picomatch(glob, { dot: true });
    const re = compileGlob(glob);
    expect(paths.filter((p) => re.testExact(p))).toEqual(paths.filter((p) => oracle(p)));
  });

  it('reads [!…] as fnmatch does: any one character but those', () => {
    expect(['a.py', 'c.py', '/x'].filter((p) => compileGlob('[!ab]*').testExact(p))).toEqual(['c.py']);
  });

  it('refuses a glob longer than 65,536 characters', () => expect(() => compileGlob('*'.repeat(70_000))).toThrow(expect.objectContaining({ code: 'AGT_ERR_PATTERN_INVALID' })));
});

describe('atomicWriteFile', () => {
  let ws: TestWorkspace;
  beforeEach(async () => {
    ws = await createTestWorkspace();
  });
  afterEach(() => ws.cleanup());

  it('leaves the old file whole when the writer dies before the rename', async () => {
    const target = join(ws.root, 'data.txt');
    const old = 'old content\n'.repeat(1000);
    await writeFile(target, old);
    const script = join(ws.outside, 'writer.mts');
    // The child's rename never completes, so SIGKILL always lands after the temp file is written, before the swap.
    await writeFile(
      script,
      [
        "import fsp from 'node:fs/promises';",
        'setInterval(() => {}, 1000);',
        "import { syncBuiltinESMExports } from 'node:module';",
        'fsp.rename = () => new Promise(() => {});',
        'syncBuiltinESMExports();',
        `const { atomicWriteFile } = await import(${JSON.stringify(join(import.meta.dirname, 'fs-common.ts'))});`,
        `const ctx = { workspaceRoot: ${JSON.stringify(ws.root)} };`,
        `await atomicWriteFile(ctx, 't', ${JSON.stringify(target)}, 'new content\\n'.repeat(100000));`,
      ].join('\n'),
    );
    const child = spawn(process.execPath, ['--import', 'tsx/esm', script], { cwd: join(import.meta.dirname, '../../../..'), stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const deadline = Date.now() + 20_000;
    const temps = async () => (await readdir(ws.root)).filter((n) => n.endsWith('.tmp'));
    while (Date.now() < deadline && !(await temps()).length) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 200));
    expect(child.exitCode).toBeNull();
    child.kill('SIGKILL');
    await exited;
    expect(await temps()).toHaveLength(1);
    expect(await readFile(target, 'utf8')).toBe(old);
  });

  it('appends by copy + rename and cleans up its temp file when the target is a folder', async () => {
    await writeFile(join(ws.root, 'a.txt'), 'one\n');
    await atomicWriteFile(ws.ctx, 't', join(ws.root, 'a.txt'), 'two\n', { append: true });
    expect(await readFile(join(ws.root, 'a.txt'), 'utf8')).toBe('one\ntwo\n');
    await mkdir(join(ws.root, 'folder'));
    await expect(atomicWriteFile(ws.ctx, 't', join(ws.root, 'folder'), 'x')).rejects.toThrow();
    expect((await readdir(ws.root)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

// What the tools see when a folder is switched for a symlink after resolveInWorkspace approved its name: the
// path below goes through `sub`, a symlink to the outside, exactly as a swapped folder would.
describe('descriptor checks after a name was approved', () => {
  let ws: TestWorkspace;
  beforeEach(async () => {
    ws = await createTestWorkspace();
    await writeFile(join(ws.outside, 'secret.txt'), 'SECRET');
    await writeFile(join(ws.root, 'in.txt'), 'inside');
    await symlink(ws.outside, join(ws.root, 'sub'));
  });
  afterEach(() => ws.cleanup());
  const refused = { code: 'AGT_ERR_PATH_OUTSIDE_WORKSPACE' };

  it('refuses to read, list, write into or copy out of the switched folder, and reports it', async () => {
    await expect(readText(ws.ctx, 'read_file', join(ws.root, 'sub/secret.txt'))).rejects.toMatchObject(refused);
    await expect(listEntries(ws.ctx, 'list_directory', join(ws.root, 'sub'))).rejects.toMatchObject(refused);
    await expect(atomicWriteFile(ws.ctx, 'write_file', join(ws.root, 'sub/new.txt'), 'x')).rejects.toMatchObject(refused);
    await expect(atomicWriteFile(ws.ctx, 'write_file', join(ws.root, 'sub/deeper/new.txt'), 'x', { createParents: true })).rejects.toMatchObject(refused);
    await expect(atomicCopyFile(ws.ctx, 'copy_file', join(ws.root, 'sub/secret.txt'), join(ws.root, 'copy.txt'))).rejects.toMatchObject(refused);
    await expect(atomicCopyFile(ws.ctx, 'copy_file', join(ws.root, 'in.txt'), join(ws.root, 'sub/copy.txt'))).rejects.toMatchObject(refused);
    expect((await readdir(ws.outside)).sort()).toEqual(['secret.txt']);
    expect(await readdir(ws.root)).not.toContain('copy.txt');
    expect(ws.events.length).toBe(6);
    expect(ws.events[0]!.detail.reason).toMatch(/switched to lead outside/);
  });

  it('still reads, writes, appends and copies inside, keeping the mode', async () => {
    await atomicWriteFile(ws.ctx, 'write_file', join(ws.root, 'a/b/c.txt'), 'one\n', { createParents: true });
    await atomicWriteFile(ws.ctx, 'write_file', join(ws.root, 'a/b/c.txt'), 'two\n', { append: true });
    await atomicCopyFile(ws.ctx, 'copy_file', join(ws.root, 'a/b/c.txt'), join(ws.root, 'd/e.txt'));
    expect((await readText(ws.ctx, 'read_file', join(ws.root, 'd/e.txt'))).text).toBe('one\ntwo\n');
    expect(ws.events).toEqual([]);
  });
});
