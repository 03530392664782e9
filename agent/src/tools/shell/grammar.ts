import { resolve } from 'node:path';
import { errorCode } from '../../errors.js';
import { resolveInWorkspace } from '../support/path-sandbox.js';
import type { ToolContext } from '../support/types.js';
import type { RunOutcome } from './exec.js';

/** A command the policy refused; `rule` is stable (for audit logs), `message` says why, for the model. */
export class ShellRefusal extends Error {
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

export const refuse = (rule: string, why: string): never => {
  throw new ShellRefusal(rule, `Command not allowed: ${why}`);
};

export interface VetOptions {
  readonly ctx: ToolContext;
  /** Absolute, symlink-resolved working directory, already proven inside the workspace. */
  readonly cwd: string;
  readonly allowedPrograms: readonly string[];
  readonly searchPath?: readonly string[];
  /** The HOME the program gets: never the workspace, so config a program reads from HOME cannot be planted. */
  readonly home: string;
  /**
   * Runs a helper program the policy needs to look before it decides (git reading its own config), the way the
   * command itself will run: inside the sandbox when there is one. Absent, helpers run directly.
   */
  readonly runHelper?: HelperRunner;
}

/** Runs `program args` in `cwd` with exactly `env`, output capped; undefined when the program is not installed. */
export type HelperRunner = (program: string, args: readonly string[], opts: { cwd: string; env: Record<string, string> }) => Promise<RunOutcome | undefined>;

/** What to actually run: the policy may prepend pinned options, add env pins and move the working directory. */
export interface VettedCommand {
  readonly program: string;
  readonly args: string[];
  readonly env: Record<string, string>;
  /** Where the program must run when the policy moved it (git -C); absent means the caller's cwd. */
  readonly cwd?: string;
}

export interface PolicyCtx {
  readonly opts: VetOptions;
  readonly program: string;
}

/**
 * One allowlisted program: how its arguments are vetted, and whether it may run without the OS sandbox.
 *
 * @example
 *   export const echo: ProgramPolicy = { runsWorkspaceCode: false, vet: async (p, args) => plain(p, args) };
 */
export interface ProgramPolicy {
  /**
   * True for programs that run code or read configuration from the workspace (python, pytest, npm, yarn, git):
   * a planted file can turn them into anything, so they are refused when the OS sandbox is unavailable.
   */
  readonly runsWorkspaceCode: boolean;
  vet(p: PolicyCtx, args: readonly string[]): Promise<VettedCommand>;
}

/** The same policy context, judged from another directory (where the program will actually run). */
export const movedTo = (p: PolicyCtx, cwd: string): PolicyCtx => ({ ...p, opts: { ...p.opts, cwd } });

/** Proves `arg` names a place inside the workspace (resolved from the cwd, through symlinks); returns it resolved. */
export async function inside(p: PolicyCtx, arg: string, what = 'path'): Promise<string> {
  if (arg.length === 0) return p.opts.cwd;
  try {
    return await resolveInWorkspace(p.opts.ctx, 'shell', resolve(p.opts.cwd, arg));
  } catch (err) {
    if (errorCode(err) !== 'AGT_ERR_PATH_OUTSIDE_WORKSPACE') throw err;
    const why = /\(([^)]*)\)\s*$/.exec((err as Error).message)?.[1] ?? 'outside the workspace';
    return refuse('path_outside', `${p.program}: ${what} '${arg}' is outside the workspace (${why}); ${p.program} may only touch files inside the workspace`);
  }
}

export async function allInside(p: PolicyCtx, paths: readonly string[], what = 'path'): Promise<void> {
  for (const path of paths) await inside(p, path, what);
}

type ShortKind = 'flag' | 'value' | 'path' | { refuse: string };
type LongKind = 'flag' | 'value' | 'path' | 'optional' | { refuse: string };

/** A GNU getopt grammar: options may come after operands; `--` ends options; unknown options are refused. */
export interface Grammar {
  readonly short: Readonly<Record<string, ShortKind>>;
  readonly long: Readonly<Record<string, LongKind>>;
  /** grep's `-NUM` (context lines). */
  readonly numericShort?: boolean;
}

export interface Parsed {
  readonly options: { name: string; value?: string }[];
  readonly operands: string[];
}

export const unknownOption = (program: string, opt: string): never =>
  refuse('unknown_option', `option '${opt}' of ${program} is not on the vetted list (unknown options are refused because they could read, write or run something outside the workspace)`);

async function parseLong(p: PolicyCtx, g: Grammar, a: string, next: () => string | undefined): Promise<{ name: string; value?: string }> {
  const eq = a.indexOf('=');
  const name = eq < 0 ? a : a.slice(0, eq);
  const kind = g.long[name];
  if (kind === undefined) unknownOption(p.program, name);
  if (typeof kind === 'object') refuse('option', `${p.program} ${name}: ${kind.refuse}`);
  if (kind === 'flag' && eq >= 0) refuse('option', `${p.program} ${name} takes no value`);
  let value: string | undefined = eq >= 0 ? a.slice(eq + 1) : undefined;
  if ((kind === 'value' || kind === 'path') && value === undefined) {
    value = next();
    if (value === undefined) refuse('option', `${p.program} ${name} needs a value`);
  }
  if (kind === 'path' && value !== undefined) await inside(p, value, `${name} value`);
  return { name, ...(value !== undefined ? { value } : {}) };
}

/** Parses argv with a GNU grammar, proving every path-valued option inside the workspace. */
export async function parseGnu(p: PolicyCtx, args: readonly string[], g: Grammar): Promise<Parsed> {
  const options: { name: string; value?: string }[] = [];
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      options.push(await parseLong(p, g, a, () => args[++i]));
      continue;
    }
    if (!a.startsWith('-') || a.length === 1) {
      operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const letter = a[j]!;
      if (g.numericShort && /[0-9]/.test(letter)) {
        const digits = /^[0-9]+/.exec(a.slice(j))![0];
        options.push({ name: '-NUM', value: digits });
        j += digits.length - 1;
        continue;
      }
      const kind = g.short[letter];
      if (kind === undefined) unknownOption(p.program, `-${letter}`);
      if (typeof kind === 'object') refuse('option', `${p.program} -${letter}: ${kind.refuse}`);
      if (kind === 'flag') {
        options.push({ name: `-${letter}` });
        continue;
      }
      let value: string | undefined = a.slice(j + 1);
      if (value === '') {
        value = args[++i];
        if (value === undefined) refuse('option', `${p.program} -${letter} needs a value`);
      }
      if (kind === 'path') await inside(p, value!, `-${letter} value`);
      options.push({ name: `-${letter}`, value: value! });
      break;
    }
  }
  return { options, operands };
}

export const flags = (letters: string): Record<string, ShortKind> => Object.fromEntries([...letters].map((l) => [l, 'flag' as const]));
export const longFlags = (names: string): Record<string, LongKind> => Object.fromEntries(names.split(/\s+/).filter(Boolean).map((n) => [n, 'flag' as const]));
export const longValues = (names: string, kind: LongKind = 'value'): Record<string, LongKind> =>
  Object.fromEntries(names.split(/\s+/).filter(Boolean).map((n) => [n, kind]));

export const FOLLOWS_SYMLINKS = 'follows symlinks, which could reach outside the workspace';

/** The command as given, with program-specific env pins. */
export const plain = (p: PolicyCtx, args: readonly string[], env: Record<string, string> = {}): VettedCommand => ({
  program: p.program,
  args: [...args],
  env,
});
