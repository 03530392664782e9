import { FOLLOWS_SYMLINKS, allInside, flags, longFlags, longValues, parseGnu, plain, refuse, type Grammar, type ProgramPolicy } from '../grammar.js';

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

/** grep: pattern files and every file operand inside the workspace; -R (follows symlinks) refused. */
export const grep: ProgramPolicy = {
  runsWorkspaceCode: false,
  async vet(p, args) {
    const { options, operands } = await parseGnu(p, args, GREP);
    const patternGiven = options.some((o) => ['-e', '-f', '--regexp', '--file'].includes(o.name));
    const files = patternGiven ? operands : operands.slice(1);
    if (!patternGiven && operands.length === 0) refuse('usage', 'grep needs a pattern');
    await allInside(p, files);
    return plain(p, args);
  },
};
