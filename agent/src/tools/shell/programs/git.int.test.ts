import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeVetTable } from './vet-table.test-support.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env: { PATH: '/usr/bin:/bin', HOME: cwd, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' }, stdio: 'pipe' });

// Each `repo-*` folder is a repository whose config sets one key: inert keys pass, everything else is refused.
describeVetTable(
  'git',
  [
    ['git status', 'ok'],
    ['git log -n 1', 'ok'],
    ['git -C src status', 'ok'],
    ['git -C repo-inert status', 'ok'],
    ['git -C repo-promisor status', 'git_config'],
    ['git -C repo-sshcommand status', 'git_config'],
    ['git -C repo-protocol status', 'git_config'],
    ['git -C repo-include status', 'git_config'],
    ['git -C repo-filter status', 'git_config'],
    ['git -C sub -C .. status', 'ok'],
    ['git -C sub --work-tree=.. status', 'ok'],
    ['git -C .. status', 'path_outside'],
    ['git --work-tree=.. status', 'path_outside'],
    ['git -C sub blame --contents=../../x file.txt', 'path_outside'],
    ['git -C src -C .. -C .. status', 'path_outside'],
    ['git -c core.pager=x log', 'option'],
    ['git log --output=x', 'option'],
    ['git diff --ext-diff', 'option'],
    ['git fetch ext::sh', 'option'],
    ['git push', 'subcommand'],
    ['git branch new', 'subcommand'],
    ['git --zzz status', 'unknown_option'],
  ],
  async (ws) => {
    git(ws.root, 'init', '-q');
    const repos: Record<string, string[]> = {
      'repo-inert': ['user.name', 'x'],
      'repo-promisor': ['extensions.partialClone', 'origin'],
      'repo-sshcommand': ['core.sshCommand', 'touch /tmp/pwned'],
      'repo-protocol': ['protocol.ext.allow', 'always'],
      'repo-include': ['include.path', '/etc/gitconfig'],
      'repo-filter': ['filter.evil.clean', 'touch /tmp/pwned'],
    };
    for (const [dir, [key, value]] of Object.entries(repos)) {
      await mkdir(join(ws.root, dir));
      git(join(ws.root, dir), 'init', '-q');
      git(join(ws.root, dir), 'config', key!, value!);
    }
    await writeFile(join(ws.root, 'sub', 'keep.txt'), 'keep\n');
  },
);
