import { refuse, ShellRefusal, type ProgramPolicy, type VetOptions, type VettedCommand } from './grammar.js';
import { cat } from './programs/cat.js';
import { echo } from './programs/echo.js';
import { find } from './programs/find.js';
import { git } from './programs/git.js';
import { grep } from './programs/grep.js';
import { ls } from './programs/ls.js';
import { npm } from './programs/npm.js';
import { pwd } from './programs/pwd.js';
import { pytest } from './programs/pytest.js';
import { python } from './programs/python.js';
import { which } from './programs/which.js';
import { yarn } from './programs/yarn.js';

/**
 * Argument vetting for the shell tool's allowlisted programs, one file per program under programs/. The rule:
 * no allowlisted program may read, write or run anything outside the workspace through its arguments. Each
 * program's arguments are parsed with that program's grammar and anything the policy cannot prove safe is
 * refused: unknown options, options that run programs or name outside files, and every path operand that
 * resolves outside the workspace (absolute, `..`, symlinks). Each refusal says which rule fired and why.
 *
 * This is the in-process layer. Programs that run workspace code or read workspace config (python, pytest,
 * npm, yarn, git) can be turned by a planted file into anything, so they also run in the OS sandbox
 * (sandbox.ts) and are refused when it is unavailable.
 */
export const PROGRAM_POLICIES = { ls, cat, grep, find, git, npm, yarn, python, pytest, echo, pwd, which } satisfies Record<string, ProgramPolicy>;
export type ProgramName = keyof typeof PROGRAM_POLICIES;

/** The policy of an allowlisted program, or undefined (Object.hasOwn: a name like `constructor` is not a program). */
export function programPolicy(program: string): ProgramPolicy | undefined {
  return Object.hasOwn(PROGRAM_POLICIES, program) ? PROGRAM_POLICIES[program as ProgramName] : undefined;
}

/**
 * Vets a tokenised command against the allowlist and its program's argument policy; throws ShellRefusal
 * (with the rule and a reason for the model) or returns exactly what to run.
 *
 * @example
 *   await vetCommand(['cat', 'notes.md'], { ctx, cwd: ctx.workspaceRoot, home, allowedPrograms: ['cat'] });
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
  const policy = programPolicy(program);
  if (!policy) {
    throw new ShellRefusal('no_policy', `Command '${program}' not allowed: it is in SHELL_ALLOWED_PROGRAMS but has no argument policy, so its arguments cannot be vetted`);
  }
  return policy.vet({ opts, program }, args);
}
