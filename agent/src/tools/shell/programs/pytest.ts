import { dirname, relative } from 'node:path';
import { flags, inside, longFlags, longValues, movedTo, parseGnu, type Grammar, type PolicyCtx, type ProgramPolicy } from '../grammar.js';
import { pytestConfigs } from './pytest-config.js';

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
const pins = (p: PolicyCtx) => ['-p', 'no:cacheprovider', `--rootdir=${p.opts.ctx.workspaceRoot}`, `--confcutdir=${p.opts.ctx.workspaceRoot}`];

/** Installed plugins load through entry points unless this is set; the workspace's own conftest.py still loads. */
export const PYTEST_ENV = { PYTEST_DISABLE_PLUGIN_AUTOLOAD: '1', PYTHONNOUSERSITE: '1' };

/**
 * Vets pytest's arguments, and the options its config files add (`addopts` is read as if typed on the command
 * line, so it gets the same grammar; path-valued keys must stay inside). Returns the argv to run, pins first.
 */
export async function vetPytestArgs(p: PolicyCtx, args: readonly string[]): Promise<string[]> {
  const { operands } = await parseGnu(p, args, PYTEST);
  const testPaths = operands.map((op) => op.split('::')[0]!);
  for (const path of testPaths) await inside(p, path, 'test path');
  for (const config of await pytestConfigs(p, testPaths)) {
    const from = movedTo(p, dirname(config.file));
    const where = relative(p.opts.ctx.workspaceRoot, config.file);
    const { operands: iniOperands } = await parseGnu({ ...p, program: `pytest (addopts in ${where})` }, config.addopts, PYTEST);
    for (const op of iniOperands) await inside(from, op.split('::')[0]!, `test path in ${where} addopts`);
    for (const { key, value } of config.paths) await inside(from, value, `${key} in ${where}`);
  }
  return [...pins(p), ...args];
}

/** pytest: runs workspace code (tests, conftest.py), so it needs the OS sandbox; its options are vetted here. */
export const pytest: ProgramPolicy = {
  runsWorkspaceCode: true,
  async vet(p, args) {
    return { program: p.program, args: await vetPytestArgs(p, args), env: PYTEST_ENV };
  },
};
