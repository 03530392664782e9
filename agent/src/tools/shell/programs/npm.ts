import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { flags, longFlags, longValues, parseGnu, plain, refuse, type Grammar, type PolicyCtx, type ProgramPolicy } from '../grammar.js';

/**
 * Env pins that beat any .npmrc in the workspace (npm ranks env over project and user config): no network, no
 * scripts, and every file npm reads or writes besides the project (user/global config, cache, logs) under the
 * program's HOME, which is never the workspace.
 */
const npmEnv = (home: string) => ({
  npm_config_offline: 'true',
  npm_config_ignore_scripts: 'true',
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
  npm_config_global: 'false',
  // Files that do not exist: npm refuses one file loaded as both user and global config.
  npm_config_userconfig: join(home, '.npmrc-none'),
  npm_config_globalconfig: join(home, '.npmrc-global-none'),
  npm_config_cache: join(home, '.npm'),
  npm_config_logs_dir: join(home, '.npm', '_logs'),
  NO_UPDATE_NOTIFIER: '1',
});

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

/** npm: `ls` and `--version` only; it reads the workspace's .npmrc, so it needs the OS sandbox. */
export const npm: ProgramPolicy = {
  runsWorkspaceCode: true,
  async vet(p, args) {
    const [sub, ...rest] = args;
    const env = npmEnv(p.opts.home);
    if (args.length === 1 && (sub === '--version' || sub === '-v')) return plain(p, args, env);
    if (sub === 'ls' || sub === 'list' || sub === 'll' || sub === 'la') {
      for (const name of (await parseGnu(p, rest, NPM_LS)).operands) {
        if (!isPackageSpec(name)) refuse('usage', `npm ${sub} takes package names only ('${name}')`);
      }
      return { program: p.program, args: [sub, `--prefix=${await npmPrefix(p)}`, ...rest], env };
    }
    return refuse(
      'subcommand',
      `npm ${sub ?? ''} is not allowed: only 'npm ls' and 'npm --version' are. install/ci/test/run/start/exec/x run package scripts or arbitrary programs, and view/outdated/audit need the network`,
    );
  },
};
