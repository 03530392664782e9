import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Metrics } from '../observability/metrics.js';
import { MUTATING_TOOLS, type ToolName } from '../tools/index.js';
import { isToolError, toolError, type ToolResult } from '../tools/support/types.js';

/** The original's cache TTLs. Only read-only tools: a cached mutation would be a skipped mutation. */
export const CACHE_TTL_SECONDS: Partial<Record<ToolName, number>> = {
  web_search: 3600,
  get_weather: 1800,
  fetch_as_markdown: 7200,
  read_file: 300,
};
// Their output depends on the thread's workspace, so their keys carry the thread and die with it.
const WORKSPACE_TOOLS = new Set<string>(['read_file']);
const WINDOW_MS = 60_000;

/** JSON with object keys sorted at every depth, so equal arguments give equal cache keys. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function cacheKeyOf(tool: string, args: unknown, threadId: string | undefined): string {
  const digest = createHash('sha256').update(canonicalJson(args)).digest('hex');
  return WORKSPACE_TOOLS.has(tool) ? `lm:cache:{${threadId ?? '_'}}:${tool}:${digest}` : `lm:cache:global:${tool}:${digest}`;
}

export interface ToolCache {
  get(tool: ToolName, args: unknown, threadId?: string): Promise<ToolResult | undefined>;
  set(tool: ToolName, args: unknown, threadId: string | undefined, result: ToolResult): Promise<void>;
  /** Drops the thread's workspace-bound entries (after a mutation in it, and on DELETE of the thread). */
  dropThread(threadId: string): Promise<void>;
}

/**
 * The tool-result cache: Redis (shared by replicas) when configured, else an in-process map bounded to
 * `config.store.memory.maxCacheEntries` (least recently used evicted first; expired entries dropped when met), each
 * eviction counted in `luminamind_store_evictions_total{store="tool_cache"}`. A Redis failure is a bypass (a miss,
 * and no write), never a failed tool call.
 */
export function createToolCache(config: Config, metrics: Metrics, redis?: Redis): ToolCache {
  const enabled = config.store.cache.enabled;
  const maxEntries = config.store.memory.maxCacheEntries;
  // Map order is the LRU order: a hit re-inserts its entry at the end.
  const memory = new Map<string, { value: string; expires: number }>();
  let memoryBytes = 0;
  const evict = (key: string, reason?: 'lru' | 'ttl') => {
    const entry = memory.get(key);
    if (entry) memoryBytes -= entry.value.length;
    memory.delete(key);
    if (entry && reason) metrics.storeEvictions.inc({ store: 'tool_cache', reason });
  };
  const cacheable = (tool: ToolName) => enabled && CACHE_TTL_SECONDS[tool] !== undefined && !MUTATING_TOOLS.includes(tool);

  return {
    async get(tool, args, threadId) {
      if (!cacheable(tool)) return undefined;
      const key = cacheKeyOf(tool, args, threadId);
      let raw: string | null | undefined;
      if (redis) {
        try {
          raw = await redis.get(key);
        } catch {
          raw = undefined;
        }
      } else {
        const entry = memory.get(key);
        if (entry && entry.expires <= Date.now()) evict(key, 'ttl');
        else if (entry) {
          memory.delete(key);
          memory.set(key, entry);
        }
        raw = memory.get(key)?.value;
      }
      metrics.cacheOperations.inc({ operation: 'get', result: raw ? 'hit' : 'miss' });
      return raw ? (JSON.parse(raw) as ToolResult) : undefined;
    },
    async set(tool, args, threadId, result) {
      if (!cacheable(tool) || isToolError(result)) return;
      const key = cacheKeyOf(tool, args, threadId);
      const value = JSON.stringify(result);
      const ttl = CACHE_TTL_SECONDS[tool]!;
      if (redis) {
        try {
          await redis.set(key, value, 'EX', ttl);
          metrics.cacheSizeBytes.inc(value.length);
        } catch {
          return;
        }
      } else {
        evict(key);
        memory.set(key, { value, expires: Date.now() + ttl * 1000 });
        memoryBytes += value.length;
        for (const oldest of memory.keys()) {
          if (memory.size <= maxEntries) break;
          evict(oldest, 'lru');
        }
        metrics.cacheSizeBytes.set(memoryBytes);
      }
      metrics.cacheOperations.inc({ operation: 'set', result: 'miss' });
    },
    async dropThread(threadId) {
      const prefix = `lm:cache:{${threadId}}:`;
      if (!redis) {
        for (const key of [...memory.keys()]) if (key.startsWith(prefix)) evict(key);
        metrics.cacheSizeBytes.set(memoryBytes);
        return;
      }
      await deleteByPattern(redis, `${prefix}*`);
    },
  };
}

/** SCAN + UNLINK in batches: KEYS would block a shared Redis. */
export async function deleteByPattern(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

export interface ToolLimiter {
  /** Counts one call of `tool` by `keyId`; a refusal says when the window reopens. */
  take(keyId: string, tool: ToolName): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number; limit: number }>;
}

/**
 * Per API key, per tool, fixed one-minute windows (limits from config: RATE_LIMIT_*_PER_MIN). With Redis the windows are
 * shared by every replica; when Redis fails the limiter falls back to this instance's own windows, so limits stay
 * enforced (per replica) rather than failing open for the tools that cost money or touch the host.
 * The local windows are bounded: those of past minutes are dropped when the minute turns (`ttl`), and beyond
 * `config.store.memory.maxRateLimitKeys` the oldest is dropped (`lru`), each counted in
 * `luminamind_store_evictions_total{store="rate_window"}` when `metrics` is given.
 */
export function createToolLimiter(config: Config, redis?: Redis, metrics?: Pick<Metrics, 'storeEvictions'>): ToolLimiter {
  const limits = config.store.toolRateLimitsPerMinute as Partial<Record<ToolName, number>>;
  const maxKeys = config.store.memory.maxRateLimitKeys;
  const local = new Map<string, number>();
  let localWindow = -1;
  const localTake = (key: string, window: number) => {
    if (window !== localWindow) {
      if (local.size) metrics?.storeEvictions.inc({ store: 'rate_window', reason: 'ttl' }, local.size);
      local.clear();
      localWindow = window;
    }
    const count = (local.get(key) ?? 0) + 1;
    local.set(key, count);
    for (const oldest of local.keys()) {
      if (local.size <= maxKeys) break;
      local.delete(oldest);
      metrics?.storeEvictions.inc({ store: 'rate_window', reason: 'lru' });
    }
    return count;
  };
  return {
    async take(keyId, tool) {
      const limit = limits[tool];
      if (limit === undefined) return { allowed: true };
      const window = Math.floor(Date.now() / WINDOW_MS);
      const key = `lm:rl:tool:${keyId}:${tool}:${window}`;
      let count: number;
      if (redis) {
        try {
          const results = await redis.multi().incr(key).pexpire(key, WINDOW_MS).exec();
          count = Number(results?.[0]?.[1] ?? 0);
        } catch {
          count = localTake(key, window);
        }
      } else {
        count = localTake(key, window);
      }
      if (count <= limit) return { allowed: true };
      return { allowed: false, limit, retryAfterSeconds: Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - Date.now()) / 1000)) };
    },
  };
}

export function rateLimitedResult(tool: string, limit: number, retryAfterSeconds: number): ToolResult {
  return toolError(
    `Rate limit exceeded: ${tool} is limited to ${limit} calls per minute for this API key; retry after ${retryAfterSeconds} s`,
    'AGT_ERR_RATE_LIMITED',
    { retry_after_seconds: retryAfterSeconds },
  );
}
