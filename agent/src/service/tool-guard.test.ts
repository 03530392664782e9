import { loadConfig } from '../config.js';
import { createMetrics } from '../observability/metrics.js';
import { createRedisClient } from '../store/redis-client.js';
import { cacheKeyOf, canonicalJson, createToolCache, createToolLimiter } from './tool-guard.js';

const config = (env: Record<string, string> = {}) => loadConfig({ RATE_LIMIT_SHELL_PER_MIN: '2', ...env });

describe('tool-result cache', () => {
  it('keys on tool + canonical args, and on the thread for workspace tools only', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe('{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}');
    expect(cacheKeyOf('web_search', { query: 'x', limit: 3 }, 't1')).toBe(cacheKeyOf('web_search', { limit: 3, query: 'x' }, 't2'));
    expect(cacheKeyOf('web_search', { query: 'x' }, 't1')).toMatch(/^lm:cache:global:web_search:[0-9a-f]{64}$/);
    expect(cacheKeyOf('read_file', { file_path: 'a' }, 't1')).not.toBe(cacheKeyOf('read_file', { file_path: 'a' }, 't2'));
    expect(cacheKeyOf('read_file', { file_path: 'a' }, 't1')).toMatch(/^lm:cache:\{t1\}:read_file:/);
  });

  it('serves hits, never caches mutating tools or errors, honours ENABLE_CACHING and drops a thread', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const cache = createToolCache(config(), metrics);
    expect(await cache.get('web_search', { query: 'q' })).toBeUndefined();
    await cache.set('web_search', { query: 'q' }, 't', { results: [1] });
    expect(await cache.get('web_search', { query: 'q' })).toEqual({ results: [1] });
    await cache.set('write_file', { file_path: 'a', text: 'x' }, 't', 'ok');
    expect(await cache.get('write_file', { file_path: 'a', text: 'x' }, 't')).toBeUndefined();
    await cache.set('get_weather', { city: 'Paris' }, 't', { error: true, message: 'down' });
    expect(await cache.get('get_weather', { city: 'Paris' }, 't')).toBeUndefined();
    await cache.set('read_file', { file_path: 'a' }, 't', 'content');
    expect(await cache.get('read_file', { file_path: 'a' }, 't')).toBe('content');
    await cache.dropThread('t');
    expect(await cache.get('read_file', { file_path: 'a' }, 't')).toBeUndefined();
    const text = await metrics.registry.metrics();
    expect(text).toContain('luminamind_cache_operations_total{operation="get",result="hit"} 2');

    const off = createToolCache(config({ ENABLE_CACHING: 'false' }), metrics);
    await off.set('web_search', { query: 'q' }, 't', { results: [1] });
    expect(await off.get('web_search', { query: 'q' })).toBeUndefined();
  });

  it('holds at most CACHE_MEMORY_MAX_ENTRIES entries, evicting the least recently used and counting it', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const cache = createToolCache(config({ CACHE_MEMORY_MAX_ENTRIES: '2' }), metrics);
    await cache.set('web_search', { query: 'a' }, 't', { r: 'a' });
    await cache.set('web_search', { query: 'b' }, 't', { r: 'b' });
    expect(await cache.get('web_search', { query: 'a' })).toEqual({ r: 'a' }); // `a` is now the most recent
    await cache.set('web_search', { query: 'c' }, 't', { r: 'c' });
    expect(await cache.get('web_search', { query: 'b' })).toBeUndefined();
    expect(await cache.get('web_search', { query: 'a' })).toEqual({ r: 'a' });
    expect(await cache.get('web_search', { query: 'c' })).toEqual({ r: 'c' });
    expect(await metrics.registry.metrics()).toContain('luminamind_store_evictions_total{store="tool_cache",reason="lru"} 1');
    expect((await metrics.cacheSizeBytes.get()).values[0]?.value).toBe(JSON.stringify({ r: 'a' }).length * 2);
  });

  it('the twin: under a bound the traffic does not reach, every entry stays and nothing is counted', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const cache = createToolCache(config({ CACHE_MEMORY_MAX_ENTRIES: '100' }), metrics);
    for (const q of ['a', 'b', 'c']) await cache.set('web_search', { query: q }, 't', { r: q });
    for (const q of ['a', 'b', 'c']) expect(await cache.get('web_search', { query: q })).toEqual({ r: q });
    expect(await metrics.registry.metrics()).not.toContain('luminamind_store_evictions_total{store="tool_cache"');
  });

  it('bypasses a Redis that is down: a miss, no throw', async () => {
    const redis = createRedisClient({ redisUrl: 'redis://127.0.0.1:1', redisSentinel: undefined, redisPassword: undefined }, { onError: () => undefined })!;
    try {
      const cache = createToolCache(config(), createMetrics({ defaultMetrics: false }), redis);
      await expect(cache.set('web_search', { query: 'q' }, 't', { r: 1 })).resolves.toBeUndefined();
      await expect(cache.get('web_search', { query: 'q' })).resolves.toBeUndefined();
    } finally {
      redis.disconnect();
    }
  });
});

describe('per-tool rate limits', () => {
  it('allows the configured count per key per minute, then refuses with a retry time', async () => {
    const limiter = createToolLimiter(config());
    expect(await limiter.take('k1', 'shell')).toEqual({ allowed: true });
    expect(await limiter.take('k1', 'shell')).toEqual({ allowed: true });
    const refused = await limiter.take('k1', 'shell');
    expect(refused).toMatchObject({ allowed: false, limit: 2 });
    expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(await limiter.take('k2', 'shell')).toEqual({ allowed: true });
    expect(await limiter.take('k1', 'read_file')).toEqual({ allowed: true });
  });

  it('bounds its local windows: past minutes dropped when the minute turns, the oldest beyond RATE_LIMIT_MEMORY_MAX_KEYS', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:10Z'), toFake: ['Date'] });
    try {
      const metrics = createMetrics({ defaultMetrics: false });
      const limiter = createToolLimiter(config({ RATE_LIMIT_MEMORY_MAX_KEYS: '2' }), undefined, metrics);
      for (const key of ['k1', 'k2', 'k3']) await limiter.take(key, 'shell');
      const text = () => metrics.registry.metrics();
      expect(await text()).toContain('luminamind_store_evictions_total{store="rate_window",reason="lru"} 1');
      vi.setSystemTime(new Date('2026-01-01T00:01:10Z'));
      await limiter.take('k2', 'shell');
      expect(await text()).toContain('luminamind_store_evictions_total{store="rate_window",reason="ttl"} 2');
      // A new minute is a fresh window: k2 may call again up to its limit.
      expect(await limiter.take('k2', 'shell')).toEqual({ allowed: true });
      expect(await limiter.take('k2', 'shell')).toMatchObject({ allowed: false });
    } finally {
      vi.useRealTimers();
    }
  });

  it('the twin: within the minute and under the key bound, no window is dropped', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:10Z'), toFake: ['Date'] });
    try {
      const metrics = createMetrics({ defaultMetrics: false });
      const limiter = createToolLimiter(config({ RATE_LIMIT_MEMORY_MAX_KEYS: '100' }), undefined, metrics);
      for (const key of ['k1', 'k2', 'k3']) await limiter.take(key, 'shell');
      await limiter.take('k1', 'shell');
      // k1's window was kept: its third call in the minute is refused.
      expect(await limiter.take('k1', 'shell')).toMatchObject({ allowed: false });
      expect(await metrics.registry.metrics()).not.toContain('luminamind_store_evictions_total{store="rate_window"');
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps limiting on local windows when Redis is down (fail-closed per instance)', async () => {
    const redis = createRedisClient({ redisUrl: 'redis://127.0.0.1:1', redisSentinel: undefined, redisPassword: undefined }, { onError: () => undefined })!;
    try {
      const limiter = createToolLimiter(config(), redis);
      await limiter.take('k', 'shell');
      await limiter.take('k', 'shell');
      expect(await limiter.take('k', 'shell')).toMatchObject({ allowed: false });
    } finally {
      redis.disconnect();
    }
  });
});
