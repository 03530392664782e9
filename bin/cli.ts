import { Command, CommanderError } from 'commander';
import { errorCode } from '../agent/src/errors.js';
import { registerToolCommand } from '../agent/src/cli/tool.js';
import { registerChatCommand } from '../agent/src/cli/chat.js';
import { registerServeCommand } from '../agent/src/cli/serve.js';
import { explainMissingPackage, registerHarnessCommands } from './harness.js';

/** Exit codes shared by every subcommand (a contract CI scripts rely on): 0 ok, 1 a negative verdict, 2 usage or configuration. */
export const EXIT = { ok: 0, verdict: 1, usage: 2 } as const;

/** Codes that mean "the command, its options or its input files are wrong": exit 2, so 1 keeps meaning a negative verdict. */
const USAGE_CODE = /_ERR_(CLI_)?USAGE$|_ERR_HARNESS_MISSING$|_ERR_CONFIG_INVALID$|^EVL_ERR_(DATASET|SIM_CASSETTE)_INVALID$|^GATE_ERR_POLICY_(INVALID|UNKNOWN)$/;

export function isUsageCode(code: string | undefined): boolean {
  return code !== undefined && USAGE_CODE.test(code);
}

/** The program with the service commands, and the harness commands argv needs (see ./harness.ts). */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('luminamind')
    .description('LuminaMind: the deep agent service, its evaluation harness and its release gate.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of [registerServeCommand, registerToolCommand, registerChatCommand]) register(program);
  await registerHarnessCommands(program, argv);
  program.addHelpText(
    'after',
    `
Examples:
  luminamind tool read_file --workspace ./ws --input '{"file_path":"notes.md"}'
  luminamind sim --port 4010 --cassettes datasets/cassettes
  luminamind gate --policy pr

Every subcommand has --help. Configuration comes from environment variables (see README.md).`,
  );
  return program;
}

/** Runs the CLI and returns the exit code; usage errors exit 2 with the reason, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (thrown) {
    if (thrown instanceof CommanderError) return thrown.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const err = explainMissingPackage(thrown, argv);
    const code = errorCode(err);
    process.stderr.write(`luminamind: ${code ? `[${code}] ` : ''}${err instanceof Error ? err.message : String(err)}\n`);
    return isUsageCode(code) ? EXIT.usage : EXIT.verdict;
  }
}
