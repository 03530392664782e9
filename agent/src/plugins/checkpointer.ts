import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Metrics } from '../observability/metrics.js';
import { checkpointMetricsHooks, createCheckpointer } from '../store/index.js';
import type { ServiceCheckpointer } from './service.js';

/**
 * The store's checkpointer with metrics and connection-error logs: Redis (sharing the service's client) when one
 * is configured, else the in-memory saver that /ready reports as degraded.
 */
export function createServiceCheckpointer(config: Config, parts: { metrics: Metrics; log: Logger; redis?: Redis }): ServiceCheckpointer {
  const hooks = checkpointMetricsHooks(parts.metrics, {
    onConnectionError: (err) => parts.log.warn({ err: { message: err.message } }, 'checkpointer_connection_error'),
  });
  return createCheckpointer(config, hooks, parts.redis ? { client: parts.redis } : {});
}
