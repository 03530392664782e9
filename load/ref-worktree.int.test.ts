import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkoutWorktree, resolveAgainst } from './ref-worktree.js';

const repo = await mkdtemp(join(tmpdir(), 'lm-ref-test-'));
afterAll(() => rm(repo, { recursive: true, force: true }));
const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo, encoding: 'utf8' }).trim();
const commit = async (file: string) => {
  await writeFile(join(repo, file), file);
  git('add', file);
  git('commit', '-q', '-m', file);
  return git('rev-parse', 'HEAD');
};

describe('--against auto picks REF in a fixed order', () => {
  it('one commit: HEAD itself, an A/A run said so; then HEAD~1; then the promoted commit; on a branch the merge base', async () => {
    git('init', '-q', '-b', 'main');
    const first = await commit('a.txt');
    expect(await resolveAgainst('auto', repo)).toMatchObject({ ref: 'HEAD', sha: first, fellBackToHead: true, selfComparison: true });

    await commit('b.txt');
    const third = await commit('c.txt');
    expect(await resolveAgainst('auto', repo)).toMatchObject({ ref: 'HEAD~1', fellBackToHead: false, selfComparison: false });

    await mkdir(join(repo, 'reports/gate'), { recursive: true });
    await writeFile(join(repo, 'reports/gate/promotion.json'), JSON.stringify({ commit: first }));
    expect(await resolveAgainst('auto', repo)).toMatchObject({ sha: first, chosen: expect.stringContaining('promoted') });

    git('checkout', '-q', '-b', 'feature');
    await commit('d.txt');
    expect(await resolveAgainst('auto', repo)).toMatchObject({ ref: 'main', sha: third, chosen: expect.stringContaining('merge base') });
  });

  it('a ref that is no commit is a usage error', async () => {
    await expect(resolveAgainst('no-such-ref', repo)).rejects.toMatchObject({ code: 'LOAD_ERR_USAGE' });
  });

  it('the worktree holds REF and is gone, with its registration, after remove()', async () => {
    git('checkout', '-q', 'main');
    const ref = await commit('package-lock.json');
    git('checkout', '-q', 'feature');
    // The checkout's lockfile is identical to REF's: its node_modules is linked, not installed again.
    await writeFile(join(repo, 'package-lock.json'), 'package-lock.json');
    const wt = await checkoutWorktree(ref, repo);
    expect(existsSync(join(wt.dir, 'c.txt'))).toBe(true);
    expect(existsSync(join(wt.dir, 'd.txt'))).toBe(false);
    expect(wt.deps).toContain('linked');
    await wt.remove();
    expect(existsSync(wt.dir)).toBe(false);
    expect(git('worktree', 'list')).not.toContain(wt.dir);
  });
});
