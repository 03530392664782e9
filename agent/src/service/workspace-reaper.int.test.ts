import { existsSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RedisServer, startRedis } from '../../../load/redis-server.js';
import { AUTH_HEADERS, startTestService, type TestService } from '../routes/service.test-support.js';
import { createRedisClient, waitForRedisReady } from '../store/redis-client.js';

// A chat whose run calls a tool (read_file), so the thread gets its workspace folder: a plain answer makes none.
const READS_A_FILE = 'What is in notes.txt?';

// Redis expires a thread's keys by itself (CHECKPOINT_TTL_SECONDS); nothing tells the service, so its workspace
// folder stayed on disk for good: one folder per thread ever served. The sweep asks the store which threads are gone.
describe('workspace sweep on Redis', () => {
  let redisServer: RedisServer;
  let redis: Redis;
  let svc: TestService;

  beforeAll(async () => {
    redisServer = await startRedis();
    redis = createRedisClient({ redisUrl: redisServer.url, redisSentinel: undefined, redisPassword: undefined }, { onError: () => undefined })!;
    await waitForRedisReady(redis);
    // Swept only when the test asks (0), with no grace: the folders here are seconds old.
    svc = await startTestService({ REDIS_URL: redisServer.url, CHECKPOINT_TTL_SECONDS: '3600', WORKSPACE_SWEEP_SECONDS: '0' }, { redis });
  });
  afterAll(async () => {
    await svc?.close();
    redis?.disconnect();
    await redisServer?.close();
  });

  const chat = (threadId: string) =>
    svc.app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { thread_id: threadId, message: READS_A_FILE } });
  const removedCount = async () => {
    const text = (await svc.app.inject({ method: 'GET', url: '/metrics' })).body;
    return Number(/^luminamind_store_evictions_total\{store="workspace",reason="orphan"\} (\d+)/m.exec(text)?.[1] ?? 0);
  };

  /** What the TTL does when it runs out, sooner: every key of the thread expires. */
  async function expire(threadId: string): Promise<void> {
    const keys = (await redis.keys('*')).filter((k) => k.includes(`{${threadId}}`));
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) await redis.pexpire(key, 1);
    await vi.waitFor(async () => expect(await redis.exists(...keys)).toBe(0), { timeout: 5_000 });
  }

  it("removes an expired thread's workspace and keeps a living thread's", async () => {
    for (const id of ['sweep-expired', 'sweep-living']) expect((await chat(id)).statusCode).toBe(200);
    expect(await svc.app.luminamind.workspaces.sweep()).toEqual([]);

    await expire('sweep-expired');
    // The twin of the sweep: expiry alone leaves the folder on disk.
    expect(existsSync(join(svc.root, 'sweep-expired'))).toBe(true);
    expect(await removedCount()).toBe(0);

    expect(await svc.app.luminamind.workspaces.sweep()).toEqual(['sweep-expired']);
    expect(existsSync(join(svc.root, 'sweep-expired'))).toBe(false);
    expect(existsSync(join(svc.root, 'sweep-living'))).toBe(true);
    expect(await removedCount()).toBe(1);
    // The thread starts afresh, with a fresh workspace.
    expect((await chat('sweep-expired')).statusCode).toBe(200);
    expect(existsSync(join(svc.root, 'sweep-expired'))).toBe(true);
  });
});
