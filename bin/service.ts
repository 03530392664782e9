import { Command, CommanderError } from 'commander';
import { registerChatCommand } from '../agent/src/cli/chat.js';
import { registerServeCommand } from '../agent/src/cli/serve.js';
import { registerToolCommand } from '../agent/src/cli/tool.js';
import { errorCode } from '../agent/src/errors.js';

// The production entry (`npm run build` bundles it to dist/service.mjs; the image runs that with plain node): the
// service's own commands only, so it imports nothing of the eval/load/chaos/gate harness, whose packages a
// `npm ci --omit=dev` install does not carry (and the build refuses). The full CLI (bin/luminamind) has the same
// serve, tool and chat.

function buildServiceProgram(): Command {
  const program = new Command('luminamind')
    .description('LuminaMind service (production build): serve, tool, chat. The harness commands need the full CLI and the dev packages.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of [registerServeCommand, registerToolCommand, registerChatCommand]) register(program);
  return program;
}

/** Same exit-code contract as the full CLI: 0 ok, 1 failure, 2 usage or configuration. */
async function serviceMain(argv: string[]): Promise<number> {
  try {
    await buildServiceProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    const code = errorCode(err);
    process.stderr.write(`luminamind: ${code ? `[${code}] ` : ''}${err instanceof Error ? err.message : String(err)}\n`);
    return code === 'AGT_ERR_CONFIG_INVALID' || code === 'AGT_ERR_CLI_USAGE' ? 2 : 1;
  }
}

// `… tool --help | head` closes the pipe early: that is the reader's choice, not a crash (as in bin/luminamind).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}
process.exitCode = await serviceMain(process.argv);
