import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Metrics } from '../observability/metrics.js';
import { checkpointMetricsHooks, createCheckpointer } from '../store/index.js';
import type { ServiceCheckpointer } from './service.js';

/** Removes `<WORKSPACE_ROOT>/<threadId>`; refuses anything that is not a direct child of the root. */
export async function removeThreadWorkspace(workspaceRoot: string, threadId: string): Promise<void> {
  const root = resolve(workspaceRoot);
  const dir = resolve(join(root, threadId));
  if (!dir.startsWith(root + '/') || dir.slice(root.length + 1).includes('/')) return;
  await rm(dir, { recursive: true, force: true });
}

/**
 * The store's checkpointer with metrics and connection-error logs: Redis (sharing the service's client) when one
 * is configured, else the bounded in-memory saver that /ready reports as degraded. A thread the in-memory saver
 * evicts (LRU or TTL) is counted in `luminamind_store_evictions_total{store="checkpointer"}` and its workspace is
 * removed with it.
 */
export function createServiceCheckpointer(config: Config, parts: { metrics: Metrics; log: Logger; redis?: Redis }): ServiceCheckpointer {
  const hooks = checkpointMetricsHooks(parts.metrics, {
    onConnectionError: (err) => parts.log.warn({ err: { message: err.message } }, 'checkpointer_connection_error'),
  });
  return createCheckpointer(
    config,
    {
      ...hooks,
      onEvict: ({ threadId, reason }) => {
        parts.metrics.storeEvictions.inc({ store: 'checkpointer', reason });
        removeThreadWorkspace(config.tools.workspaceRoot, threadId).catch((err: unknown) =>
          parts.log.warn({ err: { message: (err as Error).message }, thread_id: threadId }, 'workspace_removal_failed'),
        );
      },
    },
    parts.redis ? { client: parts.redis } : {},
  );
}
