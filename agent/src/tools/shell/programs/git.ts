import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { buildChildEnv, findProgram, runProgram, SAFE_SEARCH_PATH } from '../exec.js';
import { inside, movedTo, refuse, unknownOption, type PolicyCtx, type ProgramPolicy } from '../grammar.js';

const GIT_SUBCOMMANDS = new Set([
  'status', 'log', 'diff', 'show', 'branch', 'rev-parse', 'ls-files', 'blame', 'add', 'commit', 'init', 'checkout', 'switch',
  'restore', 'grep', 'shortlog', 'describe', 'version',
]);

const NEEDS_TERMINAL = 'needs an interactive terminal or editor';
// Options refused whatever the subcommand: each writes, reads or runs something the policy cannot vet.
const GIT_REFUSED_LONG: Readonly<Record<string, string>> = {
  '--output': 'writes to a file of your choice; the output is returned to you anyway',
  '--ext-diff': 'runs an external diff program',
  '--upload-pack': 'runs a program',
  '--receive-pack': 'runs a program',
  '--exec': 'runs a program',
  '--no-index': 'compares or searches files outside the repository',
  '--open-files-in-pager': 'runs a pager program',
  '--gpg-sign': 'runs gpg',
  '--interactive': NEEDS_TERMINAL,
  '--patch': NEEDS_TERMINAL,
  '--edit': NEEDS_TERMINAL,
  '--edit-description': NEEDS_TERMINAL,
  '--recurse-submodules': 'reaches into submodule repositories whose config is not vetted',
  '--template': 'copies a template directory into the repository',
  '--separate-git-dir': 'places the repository elsewhere',
};
const GIT_REFUSED_SHORT: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  add: { p: NEEDS_TERMINAL, i: NEEDS_TERMINAL, e: NEEDS_TERMINAL },
  commit: { S: 'runs gpg', p: NEEDS_TERMINAL, e: NEEDS_TERMINAL },
  checkout: { p: NEEDS_TERMINAL },
  restore: { p: NEEDS_TERMINAL },
  grep: { O: 'runs a pager program' },
};

const BRANCH_LIST_FLAGS = new Set(
  `-a -r -l -v -vv -q --all --remotes --list --verbose --quiet --show-current --contains --no-contains --merged --no-merged
  --sort --format --color --no-color --column --no-column --points-at --ignore-case --abbrev --no-abbrev`.split(/\s+/),
);

const GLOBAL_FLAGS = new Set(['--no-pager', '-P', '--no-replace-objects', '--literal-pathspecs', '--glob-pathspecs', '--noglob-pathspecs', '--icase-pathspecs', '--no-optional-locks', '--bare']);

/**
 * Repository config keys git may find, as an allowlist: repository config is a file the agent can write
 * (write_file), and any key not known to be inert (a transport, a promisor remote, a helper, a filter, an
 * include) could make git run a program or reach outside. Keys the pins below override are inert too.
 */
const SAFE_GIT_KEYS: readonly RegExp[] = [
  /^core\.(repositoryformatversion|filemode|bare|logallrefupdates|ignorecase|precomposeunicode|symlinks|autocrlf|eol|safecrlf|quotepath|abbrev|whitespace|checkstat|trustctime)$/,
  /^core\.(hookspath|fsmonitor|pager|editor)$/,
  /^sequence\.editor$/,
  /^extensions\.objectformat$/,
  /^user\.(name|email)$/,
  /^init\.defaultbranch$/,
  /^branch\..+\.(remote|merge|rebase|description)$/,
  /^remote\..+\.(url|pushurl|fetch|tagopt|mirror)$/,
  /^color\.[a-z.]+$/,
  /^diff\.(renames|algorithm|context|mnemonicprefix|noprefix|indentheuristic)$/,
  /^merge\.conflictstyle$/,
  /^log\.(date|decorate|abbrevcommit)$/,
  /^pull\.(rebase|ff)$/,
  /^status\.(short|branch|showuntrackedfiles)$/,
  /^i18n\.[a-z]+$/,
  /^advice\.[a-z]+$/,
  /^gc\.auto$/,
  /^index\.version$/,
  /^(commit|tag)\.gpgsign$/,
];
const isSafeGitKey = (key: string) => SAFE_GIT_KEYS.some((re) => re.test(key));

/** Command-line config outranks every config file: hooks, fsmonitor, pagers, editors, signing and transports are off. */
export const GIT_PINNED_CONFIG = [
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'core.pager=cat',
  'core.editor=false',
  'sequence.editor=false',
  'commit.gpgSign=false',
  'tag.gpgSign=false',
  'diff.ignoreSubmodules=all',
  'submodule.recurse=false',
  'protocol.allow=never',
];

function gitEnv(p: PolicyCtx): Record<string, string> {
  return {
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ATTR_NOSYSTEM: '1',
    // An empty list outranks every protocol.<name>.allow a repository sets: no transport at all, so no fetch.
    GIT_ALLOW_PROTOCOL: '',
    GIT_PROTOCOL_FROM_USER: '0',
    // git ≥ 2.45 never fetches missing objects from a promisor remote with this set; older git relies on the above.
    GIT_NO_LAZY_FETCH: '1',
    // Discovery must not climb above the workspace into an enclosing repository.
    GIT_CEILING_DIRECTORIES: dirname(p.opts.ctx.workspaceRoot),
    GIT_TERMINAL_PROMPT: '0',
    GIT_PAGER: 'cat',
    PAGER: 'cat',
  };
}

/**
 * Runs git to look before deciding. `where: 'host'` sees what the service sees (to find a repository that lives
 * outside the workspace, which the sandbox would hide); everything else runs as the command will, confined.
 */
async function gitProbe(p: PolicyCtx, globals: readonly string[], args: readonly string[], env: Record<string, string>, where: 'host' | 'sandbox' = 'sandbox') {
  const argv = [...GIT_PINNED_CONFIG.flatMap((kv) => ['-c', kv]), ...globals, ...args];
  const opts = { cwd: p.opts.cwd, env: buildChildEnv(p.opts.home, env, p.opts.searchPath) };
  const out = p.opts.runHelper && where === 'sandbox' ? await p.opts.runHelper('git', argv, opts) : await runDirectly(p, argv, opts);
  return out?.exitCode === 0 ? out.stdout : undefined;
}

async function runDirectly(p: PolicyCtx, argv: readonly string[], opts: { cwd: string; env: Record<string, string> }) {
  const exe = await findProgram('git', p.opts.searchPath ?? SAFE_SEARCH_PATH);
  return exe ? runProgram(exe, argv, { ...opts, timeoutMs: 10_000, maxBytes: 1_000_000 }) : undefined;
}

/** The repository git would use must live in the workspace, with no alternates and only allowlisted config keys. */
async function vetRepository(p: PolicyCtx, globals: readonly string[], env: Record<string, string>): Promise<Record<string, string>> {
  const dirs = await gitProbe(p, globals, ['rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir'], env, 'host');
  if (dirs === undefined) return {};
  for (const dir of dirs.split('\n').filter(Boolean)) await inside(p, dir, 'repository directory');
  const commonDir = dirs.split('\n').filter(Boolean)[1];
  if (commonDir) {
    const hasAlternates = await access(join(commonDir, 'objects', 'info', 'alternates')).then(
      () => true,
      () => false,
    );
    if (hasAlternates) refuse('git_config', 'git: this repository borrows objects from another repository (objects/info/alternates)');
  }
  // `-z --show-scope` gives `scope\0key\nvalue\0` pairs; our own pins are the `command` scope.
  const fields = ((await gitProbe(p, globals, ['config', '--list', '-z', '--show-scope'], env)) ?? '').split('\0');
  const keys: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] !== 'command') keys.push(fields[i + 1]!.split('\n')[0]!.toLowerCase());
  const bad = keys.find((k) => !isSafeGitKey(k));
  if (bad) refuse('git_config', `git: the repository config sets '${bad}', which is not on the list of inert keys (it could run a program or reach outside the workspace); remove it from the repository config first`);
  // With HOME pinned there is no global identity: fall back to a neutral one unless the repository sets its own.
  return {
    ...(keys.includes('user.name') ? {} : { GIT_AUTHOR_NAME: 'LuminaMind agent', GIT_COMMITTER_NAME: 'LuminaMind agent' }),
    ...(keys.includes('user.email') ? {} : { GIT_AUTHOR_EMAIL: 'agent@luminamind.invalid', GIT_COMMITTER_EMAIL: 'agent@luminamind.invalid' }),
  };
}

/**
 * Global options, applied in order as git applies them: `-C` moves where git runs (so it is removed from argv and
 * becomes the cwd, and every later path is judged from there), `--git-dir`/`--work-tree` are judged from that cwd.
 */
async function vetGlobals(p: PolicyCtx, args: readonly string[]): Promise<{ p: PolicyCtx; globals: string[]; rest: readonly string[]; version?: boolean }> {
  const globals: string[] = [];
  let at = p;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-')) break;
    if (a === '--version') return { p: at, globals, rest: [], version: true };
    if (a === '-c' || a === '--config-env' || a.startsWith('--config-env=')) refuse('option', `git ${a} sets config on the command line, which can make git run any program (core.pager, core.sshCommand, aliases…)`);
    if (a === '--exec-path' || a.startsWith('--exec-path=')) refuse('option', 'git --exec-path changes where git finds the programs it runs');
    const [name, attached] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (name === '-C' || name === '--git-dir' || name === '--work-tree') {
      const value = attached ?? args[++i];
      if (value === undefined) refuse('usage', `git ${name} needs a value`);
      const resolved = await inside(at, value!, `${name} directory`);
      if (name === '-C') at = movedTo(at, resolved);
      else globals.push(`${name}=${resolved}`);
      continue;
    }
    if (GLOBAL_FLAGS.has(a)) {
      globals.push(a);
      continue;
    }
    unknownOption('git', a);
  }
  return { p: at, globals, rest: args.slice(i) };
}

/** Subcommand arguments: refused options, branch for listing only, every path-like argument inside. */
async function vetSubcommandArgs(p: PolicyCtx, sub: string, rest: readonly string[]): Promise<void> {
  let afterDashDash = false;
  for (const a of rest) {
    if (afterDashDash) {
      await inside(p, a, 'pathspec');
      continue;
    }
    if (a === '--') {
      afterDashDash = true;
    } else if (a.startsWith('--')) {
      const [name, value] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
      const why = GIT_REFUSED_LONG[name];
      if (why) refuse('option', `git ${sub} ${name} ${why}`);
      if (sub === 'branch' && !BRANCH_LIST_FLAGS.has(name)) refuse('subcommand', `git branch ${name}: git branch is allowed for listing only; use git switch -c <name> to create a branch`);
      if (value !== undefined) await inside(p, value, `${name} value`);
    } else if (a.startsWith('-') && a.length > 1) {
      for (const letter of a.slice(1)) {
        const why = GIT_REFUSED_SHORT[sub]?.[letter];
        if (why) refuse('option', `git ${sub} -${letter} ${why}`);
      }
      if (sub === 'branch' && !BRANCH_LIST_FLAGS.has(a)) refuse('subcommand', `git branch ${a}: git branch is allowed for listing only; use git switch -c <name> to create a branch`);
      // An attached value (-O/path, -F../x) can be any suffix of the cluster: each must stay inside.
      for (let j = 2; j < a.length; j++) await inside(p, a.slice(j), `${a.slice(0, j)} value`);
    } else {
      await inside(p, a, 'argument');
    }
  }
  if (sub === 'branch' && rest.some((a) => !a.startsWith('-')) && !rest.some((a) => a === '-l' || a === '--list')) {
    refuse('subcommand', 'git branch <name> creates a branch; git branch is allowed for listing only (use git switch -c <name>)');
  }
}

/** git: local subcommands only, no transports, config from an allowlist; it reads workspace config, so it needs the OS sandbox. */
export const git: ProgramPolicy = {
  runsWorkspaceCode: true,
  async vet(outer, args) {
    for (const a of args) if (a.includes('ext::')) refuse('option', "git: 'ext::' URLs run a program");
    const { p, globals, rest, version } = await vetGlobals(outer, args);
    const env = gitEnv(p);
    if (version) return { program: 'git', args: ['--version'], env, cwd: p.opts.cwd };
    const [sub, ...subArgs] = rest;
    if (sub === undefined || !GIT_SUBCOMMANDS.has(sub)) {
      return refuse(
        'subcommand',
        `git ${sub ?? '(none)'} is not allowed. Allowed: ${[...GIT_SUBCOMMANDS].join(', ')} (others run hooks or programs, touch remotes, or reach other directories)`,
      );
    }
    await vetSubcommandArgs(p, sub, subArgs);
    const identity = await vetRepository(p, globals, env);
    const pinned = GIT_PINNED_CONFIG.flatMap((kv) => ['-c', kv]);
    return { program: 'git', args: [...pinned, ...globals, sub, ...subArgs], env: { ...env, ...identity }, cwd: p.opts.cwd };
  },
};
