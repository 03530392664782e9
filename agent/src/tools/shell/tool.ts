import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { CommandRefusedError, SandboxUnavailableError, ToolInputInvalidError, errorCode } from '../../errors.js';
import { displayPath, resolveInWorkspace } from '../support/path-sandbox.js';
import type { ToolContext, ToolResult } from '../support/types.js';
import { defineTool, toolError } from '../support/types.js';
import { SAFE_SEARCH_PATH, buildChildEnv, findProgram, runProgram, type RunOutcome } from './exec.js';
import { ShellRefusal, type VettedCommand } from './grammar.js';
import { programPolicy, vetCommand } from './policy.js';
import { SANDBOX_HOME, confinedArgv, sandboxStatus, type SandboxStatus } from './sandbox.js';
import { checkShellSyntax, findBlockedPattern } from './syntax.js';
import { ShellSyntaxError, splitWords } from './words.js';

export const MAX_COMMAND_CHARS = 1000;
const MIN_TIMEOUT_MS = 100;
const MAX_TIMEOUT_MS = 300_000;

const ShellInputSchema = z.object({
  command: z.string().describe('One program with its arguments, e.g. "git status" or "grep -rn TODO src". No pipes, redirections or ;'),
  cwd: z.string().optional().describe('Working directory inside the workspace (default: the workspace root)'),
  timeout_ms: z.number().optional().describe('Timeout in milliseconds, 100-300000 (default 20000)'),
});
export type ShellInput = z.infer<typeof ShellInputSchema>;

export interface ShellToolOptions {
  /** Directories searched for the program; tests point this at fakes. Never the service's own PATH. */
  readonly searchPath?: readonly string[];
}

function refusal(ctx: ToolContext, command: string, rule: string, message: string, extra: Record<string, unknown> = {}): ToolResult {
  ctx.onSecurityEvent?.({ type: 'shell_blocked', tool: 'shell', detail: { command, rule, reason: message, ...extra } });
  const err = new CommandRefusedError(message);
  return toolError(err.message, err.code);
}

/**
 * The `shell` tool: one allowlisted program, argv-split with POSIX quoting and run without a shell,
 * after its arguments pass the per-program policy (shell-policy.ts). Result shapes are the original's.
 */
export function createShellTool(options: ShellToolOptions = {}) {
  const searchPath = options.searchPath ?? SAFE_SEARCH_PATH;
  return defineTool({
    name: 'shell',
    description:
      'Run one allowlisted program (ls, cat, grep, find, git, npm, yarn, python, pytest, echo, pwd, which) inside the workspace. ' +
      'No shell: pipes, ;, &&, redirections, $VARS and unquoted globs are refused; quote patterns (find . -name "*.ts"). ' +
      'Paths must stay inside the workspace.',
    schema: ShellInputSchema,
    mutating: true,
    async run(input: ShellInput, ctx: ToolContext): Promise<ToolResult> {
      const { command } = input;
      if (command.length > MAX_COMMAND_CHARS) {
        return refusal(ctx, command.slice(0, 200), 'too_long', `Command not allowed: too long (${command.length} characters; the limit is ${MAX_COMMAND_CHARS})`);
      }
      const timeoutMs = input.timeout_ms ?? ctx.config.tools.shell.defaultTimeoutMs;
      if (!Number.isFinite(timeoutMs) || timeoutMs < MIN_TIMEOUT_MS || timeoutMs > MAX_TIMEOUT_MS) {
        return toolError('Timeout must be 100ms-300s', new ToolInputInvalidError('shell', 'timeout_ms').code);
      }
      if (/[\n\r\0]/.test(command)) {
        return refusal(ctx, command, 'newline', 'Command not allowed: newlines (and NUL bytes) are not supported: run one command per call');
      }
      const blocked = findBlockedPattern(command);
      if (blocked) return refusal(ctx, command, 'dangerous_pattern', `Command not allowed: it matches the blocked dangerous pattern '${blocked}'`, { pattern: blocked });

      let cwd: string;
      try {
        cwd = await resolveInWorkspace(ctx, 'shell', input.cwd ?? '.');
      } catch (err) {
        if (errorCode(err) !== 'AGT_ERR_PATH_OUTSIDE_WORKSPACE') throw err;
        return { error: true, message: (err as Error).message, code: errorCode(err), allowed_root: ctx.workspaceRoot };
      }

      let argv: string[];
      try {
        const words = splitWords(command);
        if (words.length === 0) return toolError('Invalid command: empty command', new ToolInputInvalidError('shell', 'command').code);
        checkShellSyntax(words);
        argv = words.map((w) => w.text);
      } catch (err) {
        if (err instanceof ShellSyntaxError) return toolError(`Invalid command: ${err.message}`, new ToolInputInvalidError('shell', 'command').code);
        if (err instanceof ShellRefusal) return refusal(ctx, command, err.rule, err.message);
        throw err;
      }

      return runConfined(ctx, command, argv, { cwd, timeoutMs, searchPath });
    },
  });
}

/** Vets argv and runs it: inside the OS sandbox when available; code-running programs never run unconfined by accident. */
async function runConfined(ctx: ToolContext, command: string, argv: string[], opts: { cwd: string; timeoutMs: number; searchPath: readonly string[] }): Promise<ToolResult> {
  const { cwd, timeoutMs, searchPath } = opts;
  const sandbox = await sandboxStatus(ctx.config.tools.shell.sandbox, searchPath);
  // Unconfined, HOME is a fresh folder outside the workspace, removed after the call.
  const home = sandbox.confined ? SANDBOX_HOME : await mkdtemp(join(tmpdir(), 'lm-shell-home-'));
  const limits = { maxBytes: ctx.config.tools.outputMaxBytes, ...(ctx.signal ? { signal: ctx.signal } : {}) };
  /** Runs a program the one way every tool process runs: confined when the sandbox is there. */
  const runIn = async (program: string, args: readonly string[], opts: { cwd: string; env: Record<string, string>; timeoutMs: number }) => {
    const exe = await findProgram(program, searchPath);
    if (!exe) return undefined;
    const argv = sandbox.confined
      ? await confinedArgv(sandbox, { workspaceRoot: ctx.workspaceRoot, cwd: opts.cwd, searchPath, limits: ctx.config.tools.shell.sandbox.limits }, exe, args)
      : { file: exe, args: [...args] };
    return runProgram(argv.file, argv.args, { ...opts, ...limits });
  };
  try {
    let vetted: VettedCommand;
    try {
      const runHelper = (program: string, args: readonly string[], opts: { cwd: string; env: Record<string, string> }) => runIn(program, args, { ...opts, timeoutMs: 10_000 });
      vetted = await vetCommand(argv, { ctx, cwd, home, allowedPrograms: ctx.config.tools.shell.allowedPrograms, searchPath, runHelper });
    } catch (err) {
      if (err instanceof ShellRefusal) return refusal(ctx, command, err.rule, err.message);
      throw err;
    }
    if (!sandbox.confined && programPolicy(vetted.program)?.runsWorkspaceCode) {
      if (sandbox.state === 'unavailable') return sandboxRefusal(ctx, command, vetted.program, sandbox);
      ctx.onSecurityEvent?.({ type: 'sandbox_off', tool: 'shell', detail: { command, program: vetted.program, reason: sandbox.detail } });
    }
    const where = vetted.cwd ?? cwd;
    const out = await runIn(vetted.program, vetted.args, { cwd: where, env: buildChildEnv(home, vetted.env, searchPath), timeoutMs });
    if (!out) {
      // The original ran through a shell, which reports a missing program as exit 127.
      const stderr = `${vetted.program}: command not found (searched ${searchPath.join(':')})`;
      return { error: true, code: 127, message: stderr, stdout: '', stderr };
    }
    return shellResult(ctx, out, where, limits.maxBytes);
  } finally {
    if (!sandbox.confined) await rm(home, { recursive: true, force: true });
  }
}

function sandboxRefusal(ctx: ToolContext, command: string, program: string, sandbox: SandboxStatus): ToolResult {
  const err = new SandboxUnavailableError(
    `Command not run: ${program} runs code or reads configuration from the workspace, so it only runs inside the OS sandbox, which is unavailable here (${sandbox.detail}). Programs that only read files (ls, cat, grep, find) still work.`,
  );
  ctx.onSecurityEvent?.({ type: 'shell_blocked', tool: 'shell', detail: { command, rule: 'sandbox_unavailable', reason: sandbox.detail } });
  return toolError(err.message, err.code);
}

/** The original's result shapes: `{error: false, cwd, stdout, stderr}` or `{error: true, code?, message, …}`. */
function shellResult(ctx: ToolContext, out: RunOutcome, cwd: string, maxBytes: number): ToolResult {
  const note = out.truncated ? `\n...[output truncated at ${maxBytes} bytes; the command was stopped]` : '';
  const stdout = out.stdout + note;
  if (out.timedOut) return { error: true, message: 'Command timed out', stdout, stderr: out.stderr };
  if (out.aborted) return { error: true, message: 'Command cancelled', stdout, stderr: out.stderr };
  if (out.spawnError) return { error: true, code: 127, message: out.spawnError, stdout, stderr: out.stderr };
  if (!out.truncated && out.exitCode !== 0) {
    return { error: true, code: out.exitCode ?? 1, message: `Command exited with code ${out.exitCode ?? 'null (killed by a signal)'}`, stdout, stderr: out.stderr };
  }
  return { error: false, cwd: displayPath(ctx, cwd), stdout, stderr: out.stderr, ...(out.truncated ? { truncated: true } : {}) };
}

export const shellTool = createShellTool();
