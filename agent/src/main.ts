import Fastify, { type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import type { Config } from './config.js';
import { createMetrics } from './observability/metrics.js';
import { startTracing } from './observability/tracing.js';
import { createLogger } from './observability/logging.js';
import { metricsRoute } from './routes/metrics.js';
import { buildServer } from './server.js';
import { createRedisClient, waitForRedisReady } from './store/redis-client.js';
import { TOOL_NAMES } from './tools/index.js';
import { BLOCKED_PATTERNS } from './tools/shell/syntax.js';
import { createServiceCheckpointer } from './service/checkpointer.js';

export const DEFAULT_SHUTDOWN_DEADLINE_MS = 25_000;

export interface StartOptions {
  readonly logStream?: DestinationStream;
  /** How long in-flight runs may take to finish after SIGTERM before they are aborted (k8s grace is 30 s). */
  readonly shutdownDeadlineMs?: number;
  /** Install SIGTERM/SIGINT handlers (the CLI does; tests call close() themselves). */
  readonly handleSignals?: boolean;
}

export interface RunningService {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly metricsUrl?: string;
  /** Graceful stop: refuse new runs, wait for in-flight ones up to the deadline, abort the rest, close Redis. */
  close(): Promise<void>;
}

/**
 * Starts the service: Redis (when configured), the checkpointer, the fastify app on HOST:PORT and, when
 * METRICS_PORT is set, a second listener serving only /metrics.
 */
export async function startService(config: Config, options: StartOptions = {}): Promise<RunningService> {
  const root = createLogger(config, { stream: options.logStream });
  const log = root.child({ logger: 'luminamind' });
  // Before the server is built, so its HTTP hooks and the agent's spans see a live tracer (undefined when off).
  const tracing = await startTracing(config, { log });
  const metrics = createMetrics({ toolNames: TOOL_NAMES, shellPatterns: BLOCKED_PATTERNS.map((b) => b.name) });
  const redis = createRedisClient(config.store, { onError: (err) => log.warn({ err: { message: err.message } }, 'redis_connection_error') });
  if (redis) {
    // Start even when Redis is down: /ready reports it, and the client reconnects by itself.
    await waitForRedisReady(redis, 5_000).catch((err: unknown) => log.error({ err }, 'redis_not_ready_at_start'));
  }
  const checkpointer = createServiceCheckpointer(config, { metrics, log, redis });
  const app = await buildServer(config, {
    logger: root,
    metrics,
    redis,
    checkpointer,
    closeables: [
      async () => checkpointer.close?.(),
      async () => {
        if (redis) await redis.quit().catch(() => redis.disconnect());
      },
    ],
  });
  const url = await app.listen({ host: config.server.host, port: config.server.port }).catch(async (err: unknown) => {
    await tracing?.shutdown();
    throw err;
  });
  log.info({ url, auth: config.server.auth, redis: Boolean(redis) }, 'service_listening');

  let metricsApp: FastifyInstance | undefined;
  let metricsUrl: string | undefined;
  if (config.server.metricsPort !== undefined) {
    metricsApp = Fastify({ logger: false });
    await metricsApp.register(metricsRoute, { metrics });
    metricsUrl = await metricsApp.listen({ host: config.server.host, port: config.server.metricsPort });
    log.info({ url: metricsUrl }, 'metrics_listening');
  }

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const deadlineMs = options.shutdownDeadlineMs ?? DEFAULT_SHUTDOWN_DEADLINE_MS;
      const service = app.luminamind;
      service.beginDrain();
      log.info({ in_flight: service.inFlight(), deadline_ms: deadlineMs }, 'shutdown_started');
      const deadline = setTimeout(() => {
        log.warn({ in_flight: service.inFlight() }, 'shutdown_deadline_reached: aborting runs');
        service.abortAll('shutdown deadline reached');
      }, deadlineMs);
      try {
        // fastify's close stops accepting, answers 503 to new requests and waits for in-flight ones.
        await app.close();
        await metricsApp?.close();
      } finally {
        clearTimeout(deadline);
        // Last, so the spans of the runs that were drained are exported too.
        await tracing?.shutdown().catch((err: unknown) => log.warn({ err }, 'tracing_shutdown_failed'));
      }
      log.info('shutdown_complete');
    })());

  if (options.handleSignals) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        log.info({ signal }, 'signal_received');
        close().then(
          () => process.exit(0),
          (err: unknown) => {
            log.error({ err }, 'shutdown_failed');
            process.exit(1);
          },
        );
      });
    }
  }
  return { app, url, metricsUrl, close };
}
