import { allInside, flags, longFlags, parseGnu, plain, type Grammar, type ProgramPolicy } from '../grammar.js';

const CAT: Grammar = {
  short: flags('AbeEnstTuv'),
  long: longFlags('--show-all --number-nonblank --show-ends --number --squeeze-blank --show-tabs --show-nonprinting --help --version'),
};

/** cat: every file operand inside the workspace. */
export const cat: ProgramPolicy = {
  runsWorkspaceCode: false,
  async vet(p, args) {
    await allInside(p, (await parseGnu(p, args, CAT)).operands);
    return plain(p, args);
  },
};
