import { flags, longFlags, parseGnu, plain, refuse, type Grammar, type ProgramPolicy } from '../grammar.js';

const PWD: Grammar = { short: flags('LP'), long: longFlags('--logical --physical --help --version') };

/** pwd: options only. */
export const pwd: ProgramPolicy = {
  runsWorkspaceCode: false,
  async vet(p, args) {
    if ((await parseGnu(p, args, PWD)).operands.length) refuse('usage', 'pwd takes no arguments');
    return plain(p, args);
  },
};
