import type { Redis } from 'ioredis';
import type { CheckpointerHooks } from './checkpoint-events.js';
import { InMemoryCheckpointSaver } from './memory-checkpointer.js';
import { RedisCheckpointSaver } from './redis-checkpointer.js';
import { createRedisClient, isRedisConfigured, type RedisClientOptions, type RedisStoreConfig } from './redis-client.js';

export { checkpointMetricsHooks } from './checkpoint-events.js';
export type { CheckpointerBackend, CheckpointerHealth, CheckpointerHooks, CheckpointerOperation, CheckpointOperationEvent } from './checkpoint-events.js';
export { DEFAULT_MEMORY_MAX_BYTES, DEFAULT_MEMORY_MAX_THREADS, InMemoryCheckpointSaver } from './memory-checkpointer.js';
export type { InMemoryCheckpointSaverOptions } from './memory-checkpointer.js';
export { CHECKPOINT_FORMAT_VERSION, DEFAULT_CHECKPOINT_KEY_PREFIX, RedisCheckpointSaver, checkpointKeys } from './redis-checkpointer.js';
export type { RedisCheckpointSaverOptions } from './redis-checkpointer.js';
export { createRedisClient, failFastRedisOptions, isRedisConfigured, waitForRedisReady } from './redis-client.js';
export type { RedisClientOptions, RedisStoreConfig } from './redis-client.js';

/** Either saver: a LangGraph BaseCheckpointSaver plus `backend`, `health()` for /ready and `close()` for shutdown. */
export type Checkpointer = RedisCheckpointSaver | InMemoryCheckpointSaver;

export interface CreateCheckpointerOptions extends RedisClientOptions {
  /** Reuse the service's client (its cache and rate limits use the same Redis); the saver then never closes it. */
  readonly client?: Redis;
  /** Expire a thread this long after its last write (refreshed on every write); unset keeps threads until deleted (Redis) or until the LRU bound drops them (memory). */
  readonly ttlSeconds?: number;
  /** Threads the in-memory saver keeps (default `config.store.memory.maxThreads`, else 1000). */
  readonly maxThreads?: number;
  readonly keyPrefix?: string;
  readonly healthTimeoutMs?: number;
}

/**
 * The service's checkpointer. With `REDIS_SENTINELS` or `REDIS_URL` set: a {@link RedisCheckpointSaver} whose
 * calls fail fast (no offline queue, 2 s command timeout) with AGT_ERR_CHECKPOINT_FAILED while Redis is down
 * and heal by themselves when it returns — there is no silent fall back to memory mid-flight, because
 * that would fork a thread's history. Unset: LangGraph's MemorySaver, reported as `backend: 'memory'` and
 * degraded by `health()`, bounded to `store.memory.maxThreads` threads, `store.memory.maxBytes` of serialized state
 * and `store.checkpointTtlSeconds` of idleness.
 *
 * @example
 *   const checkpointer = createCheckpointer(config, checkpointMetricsHooks(metrics, { onConnectionError: (e) => log.warn(e) }));
 *   const ready = await checkpointer.health(); // { ok, backend, degraded, latencyMs, error? }
 */
export function createCheckpointer(
  config: { readonly store: RedisStoreConfig & { readonly memory?: { readonly maxThreads?: number; readonly maxBytes?: number } } },
  hooks: CheckpointerHooks = {},
  options: CreateCheckpointerOptions = {},
): Checkpointer {
  const inMemory = () =>
    new InMemoryCheckpointSaver(hooks, undefined, {
      maxThreads: options.maxThreads ?? config.store.memory?.maxThreads,
      maxBytes: config.store.memory?.maxBytes,
      ttlSeconds: options.ttlSeconds ?? config.store.checkpointTtlSeconds,
    });
  if (!options.client && !isRedisConfigured(config.store)) return inMemory();
  const client =
    options.client ??
    createRedisClient(config.store, { ...options, connectionName: options.connectionName ?? 'luminamind-checkpointer', onError: hooks.onConnectionError });
  if (!client) return inMemory();
  return new RedisCheckpointSaver({
    client,
    ownsClient: !options.client,
    hooks,
    ttlSeconds: options.ttlSeconds ?? config.store.checkpointTtlSeconds,
    keyPrefix: options.keyPrefix,
    healthTimeoutMs: options.healthTimeoutMs,
  });
}
