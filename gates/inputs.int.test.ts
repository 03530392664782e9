import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTree } from './inputs.js';

const dir = mkdtempSync(join(tmpdir(), 'gate-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, encoding: 'utf8' }).trim();

describe('readTree (a real git repository)', () => {
  it('gives staged blob ids, hashes modified and untracked files as git would, drops deleted and ignored ones', async () => {
    git('init', '-q');
    writeFileSync(join(dir, 'a.ts'), 'a\n');
    writeFileSync(join(dir, 'gone.ts'), 'x\n');
    writeFileSync(join(dir, '.gitignore'), 'out/\n*.log\n');
    git('add', '.');
    git('commit', '-q', '-m', 'init');
    const clean = await readTree(dir);
    expect(clean.get('a.ts')).toBe(git('rev-parse', 'HEAD:a.ts'));

    writeFileSync(join(dir, 'a.ts'), 'a changed\n');
    writeFileSync(join(dir, 'new.ts'), 'n\n');
    writeFileSync(join(dir, 'debug.log'), 'ignored\n');
    unlinkSync(join(dir, 'gone.ts'));
    const dirty = await readTree(dir);
    expect(dirty.get('a.ts')).toBe(git('hash-object', 'a.ts'));
    expect(dirty.get('a.ts')).not.toBe(clean.get('a.ts'));
    expect(dirty.get('new.ts')).toBe(git('hash-object', 'new.ts'));
    expect(dirty.has('gone.ts')).toBe(false);
    expect(dirty.has('debug.log')).toBe(false);
    expect([...dirty.keys()].sort()).toEqual(['.gitignore', 'a.ts', 'new.ts']);
  });
});
