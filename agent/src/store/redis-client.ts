import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config.js';

export interface RedisClientOptions {
  /** Bound on every command, queued or in flight: a frozen Redis fails the call instead of hanging it. */
  readonly commandTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  /** Shown by `CLIENT LIST`, so an operator can tell the service's connections apart. */
  readonly connectionName?: string;
  /** Connection-level errors (refused, reset); ioredis would otherwise print them as "Unhandled error event". */
  readonly onError?: (err: Error) => void;
}

/** Where Redis is: a URL or Sentinels (which win, as in config.ts). Undefined means "no Redis configured". */
export type RedisStoreConfig = Partial<Pick<Config['store'], 'redisUrl' | 'redisSentinel' | 'redisPassword' | 'checkpointTtlSeconds'>>;

/** True when the configuration names a Redis (URL or Sentinels); false means the in-memory fallback. */
export function isRedisConfigured(store: RedisStoreConfig): boolean {
  return Boolean(store.redisSentinel || store.redisUrl);
}

/**
 * ioredis options that fail fast: no offline queue (a call made while disconnected rejects at once),
 * one retry per request, a command timeout, and endless capped reconnects so the client heals by itself
 * once Redis is back.
 */
export function failFastRedisOptions(options: RedisClientOptions = {}): RedisOptions {
  return {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    enableReadyCheck: true,
    commandTimeout: options.commandTimeoutMs ?? 2_000,
    connectTimeout: options.connectTimeoutMs ?? 2_000,
    connectionName: options.connectionName ?? 'luminamind',
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
  };
}

/**
 * One ioredis client from the store configuration (Sentinel mode when `REDIS_SENTINELS` is set, else
 * `REDIS_URL`), with {@link failFastRedisOptions}. Returns undefined when no Redis is configured.
 *
 * @example
 *   const redis = createRedisClient(config.store, { onError: (e) => log.warn({ err: e }, 'redis') });
 */
export function createRedisClient(store: RedisStoreConfig, options: RedisClientOptions = {}): Redis | undefined {
  const base = failFastRedisOptions(options);
  let client: Redis;
  if (store.redisSentinel) {
    client = new Redis({
      ...base,
      sentinels: store.redisSentinel.sentinels.map((s) => ({ host: s.host, port: s.port })),
      name: store.redisSentinel.name,
      password: store.redisPassword,
      sentinelPassword: store.redisPassword,
      sentinelRetryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2_000),
    });
  } else if (store.redisUrl) {
    // A password in the URL wins; REDIS_PASSWORD fills in when the URL has none (the Kubernetes secret case).
    const hasUrlPassword = new URL(store.redisUrl).password !== '';
    client = new Redis(store.redisUrl, { ...base, ...(!hasUrlPassword && store.redisPassword ? { password: store.redisPassword } : {}) });
  } else {
    return undefined;
  }
  client.on('error', (err: Error) => options.onError?.(err));
  return client;
}

/** Resolves once the client is ready, or rejects after `timeoutMs` (for start-up and tests; calls never need it). */
export async function waitForRedisReady(client: Redis, timeoutMs = 5_000): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready after ${timeoutMs} ms (status ${client.status})`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const onEnd = () => {
      cleanup();
      reject(new Error('Redis connection ended before it was ready'));
    };
    const cleanup = () => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
    };
    client.on('ready', onReady);
    client.on('end', onEnd);
  });
}
