import { flags, parseGnu, plain, refuse, type Grammar, type ProgramPolicy } from '../grammar.js';

const WHICH: Grammar = { short: flags('as'), long: {} };

/** which: bare program names only (a path would probe the file system outside the workspace). */
export const which: ProgramPolicy = {
  runsWorkspaceCode: false,
  async vet(p, args) {
    for (const name of (await parseGnu(p, args, WHICH)).operands) {
      if (!/^[A-Za-z0-9._+-]+$/.test(name)) refuse('usage', `which takes program names only, not paths ('${name}')`);
    }
    return plain(p, args);
  },
};
