import { plain, type ProgramPolicy } from '../grammar.js';

/** echo reads and writes nothing but its own stdout, so any argument is harmless. */
export const echo: ProgramPolicy = {
  runsWorkspaceCode: false,
  vet: async (p, args) => plain(p, args),
};
