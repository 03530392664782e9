import type { Command } from 'commander';
import { type Config, loadConfig, processEnvironment } from '../config.js';
import { ConfigInvalidError } from '../errors.js';

// The service (fastify, LangChain, Redis, tools) is imported when `serve` runs, so `--help` never waits for it.

/** Every setting the service cannot start without, checked together so one start lists all that is missing. */
async function assertServiceConfig(config: Config): Promise<void> {
  const [{ modelConfigProblem }, { assertAuthConfig }] = await Promise.all([import('../llm/index.js'), import('../plugins/auth.js')]);
  const problems = [modelConfigProblem(config)];
  try {
    assertAuthConfig(config);
  } catch (err) {
    if (!(err instanceof ConfigInvalidError)) throw err;
    problems.unshift(err.message.replace(/^Invalid configuration:\n/, ''));
  }
  const listed = problems.filter(Boolean);
  if (listed.length) throw new ConfigInvalidError(listed.join('\n'));
}

/** `luminamind serve`: the HTTP service on HOST:PORT (npm start), until SIGTERM/SIGINT. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the agent HTTP service (fastify) on HOST:PORT; /metrics also on METRICS_PORT when set.')
    .option('--shutdown-deadline-ms <ms>', 'how long in-flight runs may finish after SIGTERM', '25000')
    .addHelpText(
      'after',
      `
Routes: POST /v1/chat, POST /v1/threads/:id/approvals, GET|DELETE /v1/threads/:id, POST /v1/feedback,
GET /health, GET /ready, GET /metrics, GET /docs (API browser), GET /docs/json (OpenAPI).
Auth: AUTH=apikey (default) with API_KEY_HASHES (sha256 hex of each key); AUTH=none only on a loopback HOST.`,
    )
    .action(async (opts: { shutdownDeadlineMs: string }) => {
      const [{ readVaultSecrets }, { startService }] = await Promise.all([import('../secrets/vault.js'), import('../main.js')]);
      const env = processEnvironment();
      // With VAULT_ADDR set, Vault's secrets are laid over the environment before the one real parse.
      const config = loadConfig({ ...env, ...(await readVaultSecrets(loadConfig(env))) });
      await assertServiceConfig(config);
      const running = await startService(config, { handleSignals: true, shutdownDeadlineMs: Number(opts.shutdownDeadlineMs) });
      process.stderr.write(`luminamind: serving on ${running.url}\n`);
      // Keep the command pending until a signal handler exits the process.
      await new Promise<never>(() => undefined);
    });
}
