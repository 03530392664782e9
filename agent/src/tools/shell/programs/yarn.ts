import { join } from 'node:path';
import { longFlags, longValues, parseGnu, refuse, type ProgramPolicy } from '../grammar.js';

// yarn-path in a .yarnrc makes yarn run that script instead of itself; --no-default-rc skips every .yarnrc/.npmrc.
const yarnEnv = (home: string) => ({ YARN_IGNORE_PATH: '1', YARN_CACHE_FOLDER: join(home, '.yarn-cache'), YARN_GLOBAL_FOLDER: join(home, '.yarn-global') });
const PINNED = ['--no-default-rc', '--offline', '--non-interactive'];

/** yarn 1: `list` and `--version` only; it reads the workspace's rc files, so it needs the OS sandbox. */
export const yarn: ProgramPolicy = {
  runsWorkspaceCode: true,
  async vet(p, args) {
    const [sub, ...rest] = args;
    const env = yarnEnv(p.opts.home);
    if (args.length === 1 && (sub === '--version' || sub === '-v')) return { program: p.program, args: [...args], env };
    if (sub === 'list') {
      const { operands } = await parseGnu(p, rest, { short: {}, long: { ...longFlags('--json'), ...longValues('--depth --pattern') } });
      if (operands.length) refuse('usage', 'yarn list takes no operands; use --pattern');
      return { program: p.program, args: [...PINNED, ...args], env };
    }
    return refuse(
      'subcommand',
      `yarn ${sub ?? ''} is not allowed: only 'yarn list' and 'yarn --version' are. install/add/run/exec/dlx/node and bare script names run arbitrary programs`,
    );
  },
};
