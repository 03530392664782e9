import { FOLLOWS_SYMLINKS, allInside, flags, longFlags, longValues, parseGnu, plain, type Grammar, type ProgramPolicy } from '../grammar.js';

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

/** ls: every operand inside the workspace; options that follow symlinks are refused. */
export const ls: ProgramPolicy = {
  runsWorkspaceCode: false,
  async vet(p, args) {
    await allInside(p, (await parseGnu(p, args, LS)).operands);
    return plain(p, args);
  },
};
