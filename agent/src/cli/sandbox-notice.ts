import type { Config } from '../config.js';
import { sandboxNotice, sandboxStatus } from '../tools/shell/sandbox.js';

/** Terminal entry points (chat, tool) say on stderr, at every start, when tool processes are not confined. */
export async function warnUnconfinedSandbox(config: Config): Promise<void> {
  const notice = sandboxNotice(await sandboxStatus(config.tools.shell.sandbox));
  if (notice.level === 'warn') process.stderr.write(`luminamind: ${notice.message}\n`);
}
