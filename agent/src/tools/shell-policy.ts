import { access } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { errorCode } from '../errors.js';
import { resolveInWorkspace } from './path-sandbox.js';
import { SAFE_SEARCH_PATH, buildChildEnv, findProgram, runProgram } from './shell-exec.js';
import type { Word } from './shell-words.js';
import type { ToolContext } from './types.js';

/**
 * Argument vetting for the shell tool's allowlisted programs. The rule: no allowlisted program may
 * read, write or run anything outside the workspace through its arguments. Each program's arguments
 * are parsed with that program's grammar and anything the policy cannot prove safe is refused: unknown
 * options, options that run programs or name outside files, and every path operand that resolves
 * outside the workspace (absolute, `..`, symlinks). Each refusal says which rule fired and why.
 *
 * Residual risk, stated plainly: `python` and `pytest` execute code that lives in the workspace, and
 * that code can do anything the service user can. The policy only guarantees that what runs is a file
 * inside the workspace; containment of the code itself is the job of the approval gate (shell is a
 * mutating, approval-gated tool) and of the container the service runs in.
 */

/** A command the policy refused; `rule` is stable (for audit logs), `message` says why, for the model. */
export class ShellRefusal extends Error {
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

export interface VetOptions {
  readonly ctx: ToolContext;
  /** Absolute, symlink-resolved working directory, already proven inside the workspace. */
  readonly cwd: string;
  readonly allowedPrograms: readonly string[];
  readonly searchPath?: readonly string[];
}

/** What to actually run: the policy may prepend pinned options and adds program-specific env pins. */
export interface VettedCommand {
  readonly program: string;
  readonly args: string[];
  readonly env: Record<string, string>;
}

const refuse = (rule: string, why: string): never => {
  throw new ShellRefusal(rule, `Command not allowed: ${why}`);
};

/** `rm` with a recursive flag aimed at `/` or `/*`, wherever it sits in the line. */
function isRmRoot(command: string): boolean {
  for (const segment of command.split(/[;&|()`\n]/)) {
    const tokens = segment.trim().split(/\s+/);
    const at = tokens.findIndex((t) => t === 'rm' || t.endsWith('/rm'));
    if (at < 0) continue;
    const rest = tokens.slice(at + 1);
    const recursive = rest.some((t) => /^-[a-zA-Z]*[rR]/.test(t) || t === '--recursive');
    if (recursive && rest.some((t) => t === '/' || t === '/*' || t === '--no-preserve-root')) return true;
  }
  return false;
}

/** Patterns refused on sight, before parsing (REQUIREMENTS §3), counted as dangerous. */
export const BLOCKED_PATTERNS: readonly { readonly name: string; readonly test: (command: string) => boolean }[] = [
  { name: 'rm -rf /', test: isRmRoot },
  { name: 'dd if=', test: (c) => /\bdd\s/.test(c) && /\bif=/.test(c) },
  // Compared with whitespace removed, so `:(){ :|:& };:` and its respaced variants all match.
  { name: 'fork bomb', test: (c) => /(\w+|:)\(\)\{\1\|\1&\};\1/.test(c.replace(/\s+/g, '')) },
  { name: 'chmod 777', test: (c) => /\bchmod\s/.test(c) && /\s0?777\b/.test(c) },
  { name: '> /dev/sd', test: (c) => />\s*\/dev\/sd/.test(c) },
];

export function findBlockedPattern(command: string): string | undefined {
  return BLOCKED_PATTERNS.find((b) => b.test(command))?.name;
}

const bare = (w: Word, i: number) => w.quoting[i] === 'bare';
const expands = (w: Word, i: number) => w.quoting[i] === 'bare' || w.quoting[i] === 'double';

/**
 * Refuses shell syntax that a shell would have interpreted: with no shell, it would silently become a
 * literal argument and the command would not do what the model meant.
 */
export function checkShellSyntax(words: readonly Word[]): void {
  for (const w of words) {
    const t = w.text;
    for (let i = 0; i < t.length; i++) {
      const c = t[i]!;
      if (bare(w, i)) {
        if (c === ';') refuse('operator', "';' (command chaining) is not supported: run one command per call");
        if (c === '&') refuse('operator', "'&' / '&&' (background or chaining) is not supported: run one command per call");
        if (c === '|') refuse('operator', "'|' / '||' (pipes and chaining) are not supported: run one command per call");
        if (c === '>' || c === '<') refuse('redirection', "redirections ('>', '>>', '<', '2>&1') are not supported: write files with write_file");
        if (c === '(' || c === ')') refuse('operator', "'(' and ')' (subshells) are not supported; quote them if they are literal");
        if (c === '*' || c === '?' || c === '[') refuse('glob', `globbing is not supported ('${t}'): there is no shell to expand it; quote the pattern to pass it literally (e.g. find . -name '*.ts')`);
        if (c === '#' && i === 0) refuse('comment', `'#' comments are not supported ('${t}'); quote it if it is literal`);
        if (c === '~' && i === 0) refuse('tilde', `'~' expansion is not supported ('${t}'): use a path relative to the workspace`);
        if (c === '{' && /\{[^}]*(,|\.\.)[^}]*\}/.test(t.slice(i))) refuse('brace', `brace expansion is not supported ('${t}')`);
      }
      if (expands(w, i)) {
        if (c === '`') refuse('substitution', 'command substitution (backticks) is not supported');
        if (c === '$' && t[i + 1] === '(') refuse('substitution', "command substitution '$(…)' is not supported");
        if (c === '$' && t[i + 1] === '{') refuse('variable', "variable expansion '${…}' is not supported: the command gets no environment from the service");
        if (c === '$' && /[A-Za-z0-9_@*#?$!-]/.test(t[i + 1] ?? '')) refuse('variable', `variable expansion ('${t}') is not supported: the command gets no environment from the service; single-quote a literal '$'`);
      }
    }
  }
  const first = words[0];
  if (first && /^[A-Za-z_][A-Za-z0-9_]*=/.test(first.text) && first.quoting.every((q) => q === 'bare' || q === 'escaped')) {
    refuse('env_assignment', `environment assignments ('${first.text}') are not supported: the command gets no environment from the service`);
  }
}

interface PolicyCtx {
  readonly opts: VetOptions;
  readonly program: string;
}

/** Proves `arg` names a place inside the workspace (resolved from the cwd, through symlinks). */
async function inside(p: PolicyCtx, arg: string, what = 'path'): Promise<string> {
  if (arg.length === 0) return p.opts.cwd;
  try {
    return await resolveInWorkspace(p.opts.ctx, 'shell', resolve(p.opts.cwd, arg));
  } catch (err) {
    if (errorCode(err) !== 'AGT_ERR_PATH_OUTSIDE_WORKSPACE') throw err;
    const why = /\(([^)]*)\)\s*$/.exec((err as Error).message)?.[1] ?? 'outside the workspace';
    return refuse('path_outside', `${p.program}: ${what} '${arg}' is outside the workspace (${why}); ${p.program} may only touch files inside the workspace`);
  }
}

type ShortKind = 'flag' | 'value' | 'path' | { refuse: string };
type LongKind = 'flag' | 'value' | 'path' | 'optional' | { refuse: string };

/** A GNU getopt grammar: options may come after operands; `--` ends options; unknown options are refused. */
interface Grammar {
  readonly short: Readonly<Record<string, ShortKind>>;
  readonly long: Readonly<Record<string, LongKind>>;
  /** grep's `-NUM` (context lines). */
  readonly numericShort?: boolean;
}

interface Parsed {
  readonly options: { name: string; value?: string }[];
  readonly operands: string[];
}

const unknownOption = (program: string, opt: string): never =>
  refuse('unknown_option', `option '${opt}' of ${program} is not on the vetted list (unknown options are refused because they could read, write or run something outside the workspace)`);

async function parseGnu(p: PolicyCtx, args: readonly string[], g: Grammar): Promise<Parsed> {
  const options: { name: string; value?: string }[] = [];
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a : a.slice(0, eq);
      const kind = g.long[name];
      if (kind === undefined) unknownOption(p.program, name);
      if (typeof kind === 'object') refuse('option', `${p.program} ${name}: ${kind.refuse}`);
      if (kind === 'flag' && eq >= 0) refuse('option', `${p.program} ${name} takes no value`);
      let value: string | undefined = eq >= 0 ? a.slice(eq + 1) : undefined;
      if ((kind === 'value' || kind === 'path') && value === undefined) {
        value = args[++i];
        if (value === undefined) refuse('option', `${p.program} ${name} needs a value`);
      }
      if (kind === 'path' && value !== undefined) await inside(p, value, `${name} value`);
      options.push({ name, ...(value !== undefined ? { value } : {}) });
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const letter = a[j]!;
        if (g.numericShort && /[0-9]/.test(letter)) {
          const digits = /^[0-9]+/.exec(a.slice(j))![0];
          options.push({ name: '-NUM', value: digits });
          j += digits.length - 1;
          continue;
        }
        const kind = g.short[letter];
        if (kind === undefined) unknownOption(p.program, `-${letter}`);
        if (typeof kind === 'object') refuse('option', `${p.program} -${letter}: ${kind.refuse}`);
        if (kind === 'flag') {
          options.push({ name: `-${letter}` });
          continue;
        }
        let value: string | undefined = a.slice(j + 1);
        if (value === '') {
          value = args[++i];
          if (value === undefined) refuse('option', `${p.program} -${letter} needs a value`);
        }
        if (kind === 'path') await inside(p, value!, `-${letter} value`);
        options.push({ name: `-${letter}`, value: value! });
        break;
      }
      continue;
    }
    operands.push(a);
  }
  return { options, operands };
}

async function allInside(p: PolicyCtx, paths: readonly string[], what = 'path'): Promise<void> {
  for (const path of paths) await inside(p, path, what);
}

const flags = (letters: string): Record<string, ShortKind> => Object.fromEntries([...letters].map((l) => [l, 'flag' as const]));
const longFlags = (names: string): Record<string, LongKind> => Object.fromEntries(names.split(/\s+/).filter(Boolean).map((n) => [n, 'flag' as const]));
const longValues = (names: string, kind: LongKind = 'value'): Record<string, LongKind> =>
  Object.fromEntries(names.split(/\s+/).filter(Boolean).map((n) => [n, kind]));

const FOLLOWS_SYMLINKS = 'follows symlinks, which could reach outside the workspace';

const LS: Grammar = {
  short: { ...flags('aAbBcCdfFgGhHiklmnNopqQrRsStuUvxXZ1'), I: 'value', w: 'value', T: 'value', L: { refuse: FOLLOWS_SYMLINKS } },
  long: {
    ...longFlags(`--all --almost-all --author --escape --ignore-backups --directory --dired --file-type --full-time
      --group-directories-first --no-group --human-readable --si --dereference-command-line
      --dereference-command-line-symlink-to-dir --inode --kibibytes --literal --numeric-uid-gid --hide-control-chars
      --show-control-chars --quote-name --reverse --recursive --size --context --zero --help --version`),
    ...longValues('--block-size --format --hide --indicator-style --ignore --quoting-style --sort --time --time-style --tabsize --width'),
    ...longValues('--color --classify --hyperlink', 'optional'),
    '--dereference': { refuse: FOLLOWS_SYMLINKS },
  },
};

const CAT: Grammar = {
  short: flags('AbeEnstTuv'),
  long: longFlags('--show-all --number-nonblank --show-ends --number --squeeze-blank --show-tabs --show-nonprinting --help --version'),
};

const GREP: Grammar = {
  short: {
    ...flags('abcEFGhHiIlLnoPqrsTUvVwxyzZ'),
    ...{ e: 'value', f: 'path', m: 'value', A: 'value', B: 'value', C: 'value', d: 'value', D: 'value' },
    R: { refuse: `(--dereference-recursive) ${FOLLOWS_SYMLINKS}; use -r, which skips symlinks` },
  },
  long: {
    ...longFlags(`--extended-regexp --fixed-strings --basic-regexp --perl-regexp --ignore-case --no-ignore-case
      --word-regexp --line-regexp --null-data --no-messages --invert-match --version --help --byte-offset --line-number
      --no-line-number --with-filename --no-filename --only-matching --quiet --silent --binary --text --count
      --files-with-matches --files-without-match --initial-tab --null --recursive --line-buffered`),
    ...longValues(`--regexp --max-count --label --after-context --before-context --context --directories --devices
      --binary-files --include --exclude --exclude-dir`),
    ...longValues('--file --exclude-from', 'path'),
    ...longValues('--color --colour', 'optional'),
    '--dereference-recursive': { refuse: `${FOLLOWS_SYMLINKS}; use -r, which skips symlinks` },
  },
  numericShort: true,
};

const PWD: Grammar = { short: flags('LP'), long: longFlags('--logical --physical --help --version') };
const WHICH: Grammar = { short: flags('as'), long: {} };

type ProgramPolicy = (p: PolicyCtx, args: readonly string[]) => Promise<VettedCommand>;

const plain = (p: PolicyCtx, args: readonly string[], env: Record<string, string> = {}): VettedCommand => ({
  program: p.program,
  args: [...args],
  env,
});

async function vetLs(p: PolicyCtx, args: readonly string[]) {
  await allInside(p, (await parseGnu(p, args, LS)).operands);
  return plain(p, args);
}

async function vetCat(p: PolicyCtx, args: readonly string[]) {
  await allInside(p, (await parseGnu(p, args, CAT)).operands);
  return plain(p, args);
}

async function vetGrep(p: PolicyCtx, args: readonly string[]) {
  const { options, operands } = await parseGnu(p, args, GREP);
  const patternGiven = options.some((o) => ['-e', '-f', '--regexp', '--file'].includes(o.name));
  const files = patternGiven ? operands : operands.slice(1);
  if (!patternGiven && operands.length === 0) refuse('usage', 'grep needs a pattern');
  await allInside(p, files);
  return plain(p, args);
}

async function vetPwd(p: PolicyCtx, args: readonly string[]) {
  if ((await parseGnu(p, args, PWD)).operands.length) refuse('usage', 'pwd takes no arguments');
  return plain(p, args);
}

async function vetWhich(p: PolicyCtx, args: readonly string[]) {
  for (const name of (await parseGnu(p, args, WHICH)).operands) {
    if (!/^[A-Za-z0-9._+-]+$/.test(name)) refuse('usage', `which takes program names only, not paths ('${name}')`);
  }
  return plain(p, args);
}

// echo reads and writes nothing but its own stdout, so any argument is harmless.
const vetEcho = async (p: PolicyCtx, args: readonly string[]) => plain(p, args);

const FIND_NO_ARG = new Set(
  `-print -print0 -ls -prune -quit -empty -true -false -readable -writable -executable -nouser -nogroup -depth -d -xdev
  -mount -noleaf -daystart -not -a -o -and -or ! ( ) , -ignore_readdir_race -noignore_readdir_race -warn -nowarn -P -H`.split(/\s+/),
);
const FIND_VALUE = new Set(
  `-name -iname -path -ipath -wholename -iwholename -regex -iregex -type -xtype -size -mtime -mmin -atime -amin -ctime
  -cmin -maxdepth -mindepth -perm -user -group -uid -gid -links -inum -regextype -lname -ilname -printf -fstype -used`.split(/\s+/),
);
const FIND_PATH = new Set(['-newer', '-anewer', '-cnewer', '-samefile']);
const FIND_REFUSED: Readonly<Record<string, string>> = {
  '-exec': 'runs a program for each file',
  '-execdir': 'runs a program for each file',
  '-ok': 'runs a program for each file',
  '-okdir': 'runs a program for each file',
  '-delete': 'deletes files; use file_delete',
  '-fprint': 'writes to a file',
  '-fprint0': 'writes to a file',
  '-fprintf': 'writes to a file',
  '-fls': 'writes to a file',
  '-files0-from': 'reads its start points from a file',
  '-L': FOLLOWS_SYMLINKS,
  '-follow': FOLLOWS_SYMLINKS,
};

async function vetFind(p: PolicyCtx, args: readonly string[]) {
  let i = 0;
  const starts: string[] = [];
  while (i < args.length && ['-H', '-P', '-L'].includes(args[i]!)) {
    if (args[i] === '-L') refuse('option', `find -L: ${FOLLOWS_SYMLINKS}`);
    i++;
  }
  while (i < args.length && !/^[-(!)]/.test(args[i]!)) starts.push(args[i++]!);
  await allInside(p, starts, 'start point');
  for (; i < args.length; i++) {
    const a = args[i]!;
    const refusal = FIND_REFUSED[a];
    if (refusal) refuse('option', `find ${a} ${refusal}`);
    if (FIND_NO_ARG.has(a)) continue;
    const newer = /^-newer([aBcm])([aBcmt])$/.exec(a);
    if (FIND_VALUE.has(a) || FIND_PATH.has(a) || newer) {
      const value = args[++i];
      if (value === undefined) refuse('usage', `find ${a} needs a value`);
      if (FIND_PATH.has(a) || (newer && newer[2] !== 't')) await inside(p, value!, `${a} reference file`);
      continue;
    }
    if (a.startsWith('-')) unknownOption('find', a);
    refuse('usage', `find: unexpected argument '${a}' (start points go before the expression)`);
  }
  return plain(p, args);
}

const PYTEST: Grammar = {
  short: {
    ...flags('qvxsl'),
    k: 'value',
    m: 'value',
    r: 'value',
    p: { refuse: 'loads plugins by name, which imports arbitrary modules' },
    c: { refuse: 'points pytest at another config file' },
    o: { refuse: 'overrides ini options, which include paths such as cache_dir' },
    W: { refuse: 'warning filters import the named categories' },
  },
  long: {
    ...longFlags(`--lf --last-failed --ff --failed-first --nf --new-first --sw --stepwise --co --collect-only --no-header
      --no-summary --strict-markers --exitfirst --quiet --verbose --showlocals --disable-warnings --version --help
      --setup-show --full-trace`),
    ...longValues('--maxfail --tb --durations --durations-min --import-mode --capture'),
    ...longValues('--color', 'optional'),
    '--pyargs': { refuse: 'imports test modules by package name from anywhere on sys.path' },
    '--rootdir': { refuse: 'the shell tool pins the rootdir to the workspace' },
    '--basetemp': { refuse: 'pytest deletes and recreates this directory' },
  },
};

/** Options pinned in front of every pytest run: rootdir and conftest lookup stay in the workspace, no cache writes. */
const pytestPins = (p: PolicyCtx) => ['-p', 'no:cacheprovider', `--rootdir=${p.opts.ctx.workspaceRoot}`, `--confcutdir=${p.opts.ctx.workspaceRoot}`];

async function vetPytestArgs(p: PolicyCtx, args: readonly string[]): Promise<string[]> {
  const { operands } = await parseGnu(p, args, PYTEST);
  for (const op of operands) await inside(p, op.split('::')[0]!, 'test path');
  return [...pytestPins(p), ...args];
}

async function vetPytest(p: PolicyCtx, args: readonly string[]): Promise<VettedCommand> {
  return { program: p.program, args: await vetPytestArgs(p, args), env: {} };
}

const PYTHON_FLAGS = new Set([...'BbdEIOPqsSuvV'].map((l) => `-${l}`));
const PYTHON_REFUSED: Readonly<Record<string, string>> = {
  c: 'runs code given on the command line; write a script in the workspace and run that',
  m: "runs a module from anywhere on sys.path (only 'python -m pytest' is allowed)",
  W: 'warning filters import the named categories',
  X: 'implementation options include paths (pycache_prefix) and import hooks',
  i: 'starts an interactive interpreter, which needs a terminal',
};

/** A script argument is the script's business, but a literal path in it must still not leave the workspace. */
async function vetScriptArgs(p: PolicyCtx, args: readonly string[]): Promise<void> {
  for (const a of args) {
    if (a === '--') continue;
    const value = a.startsWith('-') ? (a.includes('=') ? a.slice(a.indexOf('=') + 1) : undefined) : a;
    if (value !== undefined) await inside(p, value, 'script argument');
  }
}

async function vetPython(p: PolicyCtx, args: readonly string[]): Promise<VettedCommand> {
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--version' || a === '--help' || a === '-h') return plain(p, args.slice(0, i + 1));
    if (a === '-m' && args[i + 1] === 'pytest') {
      const rest = await vetPytestArgs(p, args.slice(i + 2));
      return { program: p.program, args: [...args.slice(0, i + 2), ...rest], env: {} };
    }
    if (a === '-') refuse('option', 'python - reads a program from stdin; write a script in the workspace and run that');
    if (!a.startsWith('-')) break;
    for (const letter of a.slice(1)) {
      if (PYTHON_REFUSED[letter]) refuse('option', `python -${letter} ${PYTHON_REFUSED[letter]}`);
      if (!PYTHON_FLAGS.has(`-${letter}`)) unknownOption('python', `-${letter}`);
    }
  }
  const script = args[i];
  if (script === undefined) refuse('usage', 'python needs a script path inside the workspace (an interactive interpreter is not supported)');
  await inside(p, script!, 'script');
  await vetScriptArgs(p, args.slice(i + 1));
  return plain(p, args);
}

// Env pins that beat any .npmrc in the workspace (env outranks project and user config): no network, no scripts.
const NPM_ENV = {
  npm_config_offline: 'true',
  npm_config_ignore_scripts: 'true',
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
  npm_config_global: 'false',
  NO_UPDATE_NOTIFIER: '1',
};

const NPM_LS: Grammar = {
  short: { ...flags('alp'), g: { refuse: 'lists global packages outside the workspace' } },
  long: {
    ...longFlags('--all --json --parseable --long --link --package-lock-only --unicode --production --prod --dev'),
    ...longValues('--depth --omit --include'),
    '--global': { refuse: 'lists global packages outside the workspace' },
  },
};

/** The nearest directory from cwd up to the workspace root with a package.json, so npm never walks above it. */
async function npmPrefix(p: PolicyCtx): Promise<string> {
  for (let dir = p.opts.cwd; ; dir = dirname(dir)) {
    try {
      await access(join(dir, 'package.json'));
      return dir;
    } catch {
      if (dir === p.opts.ctx.workspaceRoot || dirname(dir) === dir) return p.opts.cwd;
    }
  }
}

const isPackageSpec = (s: string) => /^[\w@./^~<>=|-]+$/.test(s) && !s.includes('..') && !/^[./]/.test(s);

async function vetNpm(p: PolicyCtx, args: readonly string[]): Promise<VettedCommand> {
  const [sub, ...rest] = args;
  if (args.length === 1 && (sub === '--version' || sub === '-v')) return plain(p, args, NPM_ENV);
  if (sub === 'ls' || sub === 'list' || sub === 'll' || sub === 'la') {
    for (const name of (await parseGnu(p, rest, NPM_LS)).operands) {
      if (!isPackageSpec(name)) refuse('usage', `npm ${sub} takes package names only ('${name}')`);
    }
    return { program: p.program, args: [sub, `--prefix=${await npmPrefix(p)}`, ...rest], env: NPM_ENV };
  }
  return refuse(
    'subcommand',
    `npm ${sub ?? ''} is not allowed: only 'npm ls' and 'npm --version' are. install/ci/test/run/start/exec/x run package scripts or arbitrary programs, and view/outdated/audit need the network`,
  );
}

async function vetYarn(p: PolicyCtx, args: readonly string[]): Promise<VettedCommand> {
  const [sub, ...rest] = args;
  if (args.length === 1 && (sub === '--version' || sub === '-v')) return plain(p, args);
  if (sub === 'list') {
    const { operands } = await parseGnu(p, rest, { short: {}, long: { ...longFlags('--json'), ...longValues('--depth --pattern') } });
    if (operands.length) refuse('usage', 'yarn list takes no operands; use --pattern');
    return plain(p, args);
  }
  return refuse(
    'subcommand',
    `yarn ${sub ?? ''} is not allowed: only 'yarn list' and 'yarn --version' are. install/add/run/exec/dlx/node and bare script names run arbitrary programs`,
  );
}

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

/**
 * Config keys that make git run a program or look outside the repository. Repository config is a file
 * the agent can write (write_file), so it is read before every git call and refused when it holds one.
 */
const DANGEROUS_GIT_KEY = /^(credential|include|includeif|pager)\.|\.(command|cmd|program|editor|pager|hook|hookspath|helper|textconv|clean|smudge|process|driver|fsmonitor|askpass|proxy|external|difffilter|path|worktree|gpgsign|uploadpack|receivepack|vcs)$/;
// Keys the pinned `-c` options below override, so a repository setting them is harmless.
const PINNED_GIT_KEYS = new Set(['core.hookspath', 'core.fsmonitor', 'core.pager', 'core.editor', 'sequence.editor', 'commit.gpgsign', 'tag.gpgsign']);

/** Command-line config outranks every config file: hooks, fsmonitor, pagers, editors and signing are off. */
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
    // Discovery must not climb above the workspace into an enclosing repository.
    GIT_CEILING_DIRECTORIES: dirname(p.opts.ctx.workspaceRoot),
    GIT_TERMINAL_PROMPT: '0',
    GIT_PAGER: 'cat',
    PAGER: 'cat',
  };
}

async function gitProbe(p: PolicyCtx, globals: readonly string[], args: readonly string[], env: Record<string, string>) {
  const exe = await findProgram('git', p.opts.searchPath ?? SAFE_SEARCH_PATH);
  if (!exe) return undefined;
  const out = await runProgram(exe, [...globals, ...args], {
    cwd: p.opts.cwd,
    env: buildChildEnv(p.opts.ctx.workspaceRoot, env, p.opts.searchPath),
    timeoutMs: 10_000,
    maxBytes: 1_000_000,
  });
  return out.exitCode === 0 ? out.stdout : undefined;
}

/** The repository git would use must live in the workspace, with no alternates and no program-running config. */
async function vetGitRepository(p: PolicyCtx, globals: readonly string[], env: Record<string, string>): Promise<Record<string, string>> {
  const dirs = await gitProbe(p, globals, ['rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir'], env);
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
  const config = (await gitProbe(p, globals, ['config', '--list', '-z'], env)) ?? '';
  const keys = config
    .split('\0')
    .filter(Boolean)
    .map((entry) => entry.split('\n')[0]!.toLowerCase());
  const bad = keys.find((k) => DANGEROUS_GIT_KEY.test(k) && !PINNED_GIT_KEYS.has(k));
  if (bad) refuse('git_config', `git: the repository config sets '${bad}', which could run a program or reach outside the workspace; remove it from the repository config first`);
  // With HOME pinned there is no global identity: fall back to a neutral one unless the repository sets its own.
  return {
    ...(keys.includes('user.name') ? {} : { GIT_AUTHOR_NAME: 'LuminaMind agent', GIT_COMMITTER_NAME: 'LuminaMind agent' }),
    ...(keys.includes('user.email') ? {} : { GIT_AUTHOR_EMAIL: 'agent@luminamind.invalid', GIT_COMMITTER_EMAIL: 'agent@luminamind.invalid' }),
  };
}

async function vetGit(p: PolicyCtx, args: readonly string[]): Promise<VettedCommand> {
  for (const a of args) if (a.includes('ext::')) refuse('option', "git: 'ext::' URLs run a program");
  const globals: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-')) break;
    if (a === '--version') return { program: 'git', args: ['--version'], env: gitEnv(p) };
    if (a === '-c' || a === '--config-env' || a.startsWith('--config-env=')) refuse('option', `git ${a} sets config on the command line, which can make git run any program (core.pager, core.sshCommand, aliases…)`);
    if (a === '-C' || a === '--git-dir' || a === '--work-tree') {
      const value = args[++i];
      if (value === undefined) refuse('usage', `git ${a} needs a value`);
      await inside(p, value!, `${a} directory`);
      globals.push(a, value!);
      continue;
    }
    const eq = /^(--git-dir|--work-tree)=(.*)$/.exec(a);
    if (eq) {
      await inside(p, eq[2]!, `${eq[1]} directory`);
      globals.push(a);
      continue;
    }
    if (['--no-pager', '-P', '--no-replace-objects', '--literal-pathspecs', '--glob-pathspecs', '--noglob-pathspecs', '--icase-pathspecs', '--no-optional-locks', '--bare'].includes(a)) {
      globals.push(a);
      continue;
    }
    if (a === '--exec-path' || a.startsWith('--exec-path=')) refuse('option', 'git --exec-path changes where git finds the programs it runs');
    unknownOption('git', a);
  }
  const sub = args[i];
  if (sub === undefined || !GIT_SUBCOMMANDS.has(sub)) {
    return refuse(
      'subcommand',
      `git ${sub ?? '(none)'} is not allowed. Allowed: ${[...GIT_SUBCOMMANDS].join(', ')} (others run hooks or programs, touch remotes, or reach other directories)`,
    );
  }
  const rest = args.slice(i + 1);
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
  const env = gitEnv(p);
  const identity = await vetGitRepository(p, globals, env);
  const pinned = GIT_PINNED_CONFIG.flatMap((kv) => ['-c', kv]);
  return { program: 'git', args: [...pinned, ...globals, sub, ...rest], env: { ...env, ...identity } };
}

/** Every allowlisted program with its argument policy; a program without one is refused outright. */
export const PROGRAM_POLICIES: Readonly<Record<string, ProgramPolicy>> = {
  ls: vetLs,
  cat: vetCat,
  grep: vetGrep,
  find: vetFind,
  git: vetGit,
  npm: vetNpm,
  yarn: vetYarn,
  python: vetPython,
  pytest: vetPytest,
  echo: vetEcho,
  pwd: vetPwd,
  which: vetWhich,
};

/**
 * Vets a tokenised command against the allowlist and its program's argument policy; throws ShellRefusal
 * (with the rule and a reason for the model) or returns exactly what to run.
 *
 * @example
 *   await vetCommand(['cat', 'notes.md'], { ctx, cwd: ctx.workspaceRoot, allowedPrograms: ['cat'] });
 *   await vetCommand(['cat', '/etc/passwd'], opts); // throws ShellRefusal('path_outside', …)
 */
export async function vetCommand(argv: readonly string[], opts: VetOptions): Promise<VettedCommand> {
  const [program, ...args] = argv;
  if (program === undefined) return refuse('usage', 'empty command');
  if (program.includes('/')) {
    refuse('path_program', `program names must be bare ('${program}'): path-qualified programs are not allowed. Allowed: ${opts.allowedPrograms.join(', ')}`);
  }
  if (!opts.allowedPrograms.includes(program)) {
    throw new ShellRefusal('not_allowlisted', `Command '${program}' not allowed. Allowed: ${opts.allowedPrograms.join(', ')}`);
  }
  const policy = Object.hasOwn(PROGRAM_POLICIES, program) ? PROGRAM_POLICIES[program] : undefined;
  if (!policy) {
    throw new ShellRefusal('no_policy', `Command '${program}' not allowed: it is in SHELL_ALLOWED_PROGRAMS but has no argument policy, so its arguments cannot be vetted`);
  }
  return policy({ opts, program }, args);
}
