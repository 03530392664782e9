import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedis } from './redis-server.js';
import { startSimulator, type Simulator } from '../evals/sim/index.js';
import { LOAD_CASSETTES, SCENARIOS } from './scenarios.js';
import { startServiceProcess } from './service-process.js';

// Redis's own memory is bounded by CHECKPOINT_TTL_SECONDS only if every key the service writes carries an expiry no
// longer than it: then Redis holds at most TTL seconds of writes. Checked through the real service and a real Redis;
// the twin without the setting shows keys that never expire (the bound is gone). That keys do expire when their TTL
// runs out is shown with a 1 s TTL in agent/src/store/redis-checkpointer.int.test.ts (the config's floor is 60 s).
const TTL_SECONDS = 60;

let sim: Simulator;
let redis: RedisServer;
let client: Redis;
let root: string;

beforeAll(async () => {
  sim = await startSimulator({ cassettes: LOAD_CASSETTES });
  redis = await startRedis();
  client = new Redis(redis.url);
  root = await mkdtemp(join(tmpdir(), 'lm-soak-ttl-'));
}, 60_000);

afterAll(async () => {
  client?.disconnect();
  await redis?.close();
  await sim?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

/** Runs `threads` chats through a service with the given TTL setting; returns the PTTL (ms) of every key it wrote. */
async function keyTtlsAfterChats(prefix: string, env: Record<string, string>, threads: number): Promise<{ key: string; ms: number }[]> {
  const svc = await startServiceProcess({ OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'soak', LLM_MODEL: 'sim', AUTH: 'none', LOG_LEVEL: 'warn', WORKSPACE_ROOT: root, REDIS_URL: redis.url, ...env });
  try {
    for (let i = 0; i < threads; i++) {
      const res = await fetch(`${svc.url}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ thread_id: `${prefix}${i}`, message: SCENARIOS['one-tool'].message }) });
      expect(res.status).toBe(200);
    }
  } finally {
    await svc.close();
  }
  const keys: string[] = [];
  for (let cursor = '0'; ; ) {
    const [next, batch] = await client.scan(cursor, 'COUNT', 1000);
    keys.push(...batch);
    if ((cursor = next) === '0') break;
  }
  const ttls = await Promise.all(keys.map(async (k) => ({ key: k, ms: await client.pttl(k) })));
  await client.flushall();
  return ttls;
}

describe('Redis memory bounded by CHECKPOINT_TTL_SECONDS (service in Redis mode)', () => {
  it('every key the service writes expires within the TTL', async () => {
    const all = await keyTtlsAfterChats('ttl', { CHECKPOINT_TTL_SECONDS: String(TTL_SECONDS) }, 4);
    // One key has no expiry by design: the thread index (a sorted set scored by last write), which the store prunes to
    // the threads written in the last TTL + 60 s on every write, so it is bounded by the same window.
    const index = all.filter(({ key }) => key.endsWith('threads'));
    expect(index.map((k) => k.ms)).toEqual([-1]);
    const ttls = all.filter(({ key }) => !key.endsWith('threads'));
    expect(ttls.length).toBeGreaterThan(4);
    for (const { key, ms } of ttls) {
      expect(ms, key).toBeGreaterThan(0);
      expect(ms, key).toBeLessThanOrEqual(TTL_SECONDS * 1000);
    }
  }, 120_000);

  it('can fail: without the setting the keys never expire, so Redis grows with every thread', async () => {
    const ttls = await keyTtlsAfterChats('nottl', {}, 2);
    expect(ttls.length).toBeGreaterThan(2);
    expect(ttls.filter(({ ms }) => ms === -1).length).toBeGreaterThan(0);
  }, 120_000);
});
