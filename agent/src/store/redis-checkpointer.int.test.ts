import type { RunnableConfig } from '@langchain/core/runnables';
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { emptyCheckpoint, uuid6, type Checkpoint, type CheckpointMetadata, type CheckpointTuple } from '@langchain/langgraph-checkpoint';
import type { Redis } from 'ioredis';
import { loadConfig } from '../config.js';
import { createMetrics } from '../observability/metrics.js';
import type { CheckpointOperationEvent } from './checkpoint-events.js';
import { checkpointKeys, checkpointMetricsHooks, createCheckpointer, InMemoryCheckpointSaver, RedisCheckpointSaver } from './index.js';
import { createRedisClient, waitForRedisReady } from './redis-client.js';
import { type RedisServer, startRedis, startSentinel } from '../../../load/redis-server.js';

const META: CheckpointMetadata = { source: 'loop', step: 0, parents: {} };

let redis: RedisServer;
const clients: Redis[] = [];

function newClient(options: { commandTimeoutMs?: number } = {}): Redis {
  const client = createRedisClient({ redisUrl: redis.url }, { ...options, onError: () => undefined })!;
  clients.push(client);
  return client;
}

async function readyClient(options: { commandTimeoutMs?: number } = {}): Promise<Redis> {
  const client = newClient(options);
  await waitForRedisReady(client);
  return client;
}

function checkpoint(values: Record<string, unknown> = {}): Checkpoint {
  return {
    ...emptyCheckpoint(),
    id: uuid6(-1),
    channel_values: values,
    channel_versions: Object.fromEntries(Object.keys(values).map((k) => [k, 1])),
  };
}

async function collect(gen: AsyncGenerator<CheckpointTuple>): Promise<CheckpointTuple[]> {
  const out: CheckpointTuple[] = [];
  for await (const t of gen) out.push(t);
  return out;
}

async function scanKeys(client: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

/** Runs an operation that must fail, returning the error and how long failing took. */
async function failing(fn: () => Promise<unknown>): Promise<{ err: { code?: string; statusCode?: number; message: string }; ms: number }> {
  const started = performance.now();
  try {
    await fn();
  } catch (err) {
    return { err: err as { code?: string; statusCode?: number; message: string }, ms: performance.now() - started };
  }
  throw new Error('expected the operation to fail');
}

beforeAll(async () => {
  redis = await startRedis({ persist: true });
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await redis?.close();
});

describe('RedisCheckpointSaver on a real redis-server', () => {
  it('keeps a conversation across a new client and saver (a service restart)', async () => {
    const State = Annotation.Root({ items: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }) });
    const build = (saver: RedisCheckpointSaver) =>
      new StateGraph(State)
        .addNode('echo', (s) => ({ items: [`seen ${s.items.length}`] }))
        .addEdge(START, 'echo')
        .addEdge('echo', END)
        .compile({ checkpointer: saver });
    const config = { configurable: { thread_id: `restart-${uuid6(-1)}` } };

    const first = new RedisCheckpointSaver({ client: await readyClient(), ownsClient: true });
    expect((await build(first).invoke({ items: ['hello'] }, config)).items).toEqual(['hello', 'seen 1']);
    await first.close();

    const second = new RedisCheckpointSaver({ client: await readyClient(), ownsClient: true });
    const graph = build(second);
    expect((await graph.getState(config)).values.items).toEqual(['hello', 'seen 1']);
    expect((await graph.invoke({ items: ['again'] }, config)).items).toEqual(['hello', 'seen 1', 'again', 'seen 3']);
    const history = await collect(second.list(config));
    expect(history.length).toBeGreaterThanOrEqual(4);
    expect(history.map((t) => t.checkpoint.id)).toEqual([...history.map((t) => t.checkpoint.id)].sort().reverse());
    await second.close();
  });

  it('deleteThread erases every key of the thread and nothing of another thread', async () => {
    const client = await readyClient();
    const saver = new RedisCheckpointSaver({ client, keyPrefix: 'lm:del:' });
    const victim = 'user:42/{tricky} thread';
    const other = 'other-thread';
    for (const thread of [victim, other]) {
      for (const ns of ['', 'tools:abc']) {
        let config = { configurable: { thread_id: thread, checkpoint_ns: ns } };
        for (let i = 0; i < 3; i += 1) {
          const cp = checkpoint({ messages: [`m${i}`], [`c${i}`]: i });
          config = (await saver.put(config, cp, META, cp.channel_versions)) as typeof config;
          await saver.putWrites(config, [['messages', `w${i}`]], `task-${i}`);
        }
      }
    }
    const encoded = encodeURIComponent(victim);
    expect((await scanKeys(client, `*${encoded}*`)).length).toBeGreaterThan(5);

    await saver.deleteThread(victim);

    expect(await scanKeys(client, `*${encoded}*`)).toEqual([]);
    expect(await scanKeys(client, `*${victim.replace(/[*?[\]\\]/g, '\\$&')}*`)).toEqual([]);
    expect(await client.zrange('lm:del:threads', 0, -1)).toEqual([other]);
    expect(await saver.getTuple({ configurable: { thread_id: victim } })).toBeUndefined();
    expect(await collect(saver.list({ configurable: { thread_id: victim } }))).toEqual([]);
    expect(await collect(saver.list({ configurable: { thread_id: other } }))).toHaveLength(6);
    expect(await collect(saver.list({ configurable: {} }))).toHaveLength(6);
  });

  it('stores only the channels in newVersions and rebuilds values from earlier versions', async () => {
    const client = await readyClient();
    const saver = new RedisCheckpointSaver({ client, keyPrefix: 'lm:delta:' });
    const thread = { configurable: { thread_id: 'delta', checkpoint_ns: '' } };
    const big = 'x'.repeat(10_000);
    const first = await saver.put(thread, { ...checkpoint({ big, small: 1 }) }, META, { big: 1, small: 1 });
    const second = { ...checkpoint({ big, small: 2 }), channel_versions: { big: 1, small: 2 } };
    const events: CheckpointOperationEvent[] = [];
    const counting = new RedisCheckpointSaver({ client, keyPrefix: 'lm:delta:', hooks: { onOperation: (e) => events.push(e) } });
    await counting.put(first, second, META, { small: 2 });
    expect(events[0]).toMatchObject({ operation: 'save', status: 'ok', backend: 'redis' });
    expect(events[0]!.bytes).toBeLessThan(5_000);
    expect((await counting.getTuple(thread))?.checkpoint.channel_values).toEqual({ big, small: 2 });
    expect(await client.hlen(checkpointKeys('lm:delta:', 'delta').blobs)).toBe(3);
  });

  it('refreshes the thread TTL on every write, on every key of the thread', async () => {
    const client = await readyClient();
    const saver = new RedisCheckpointSaver({ client, keyPrefix: 'lm:ttl:', ttlSeconds: 1 });
    const config = await saver.put({ configurable: { thread_id: 'ttl' } }, checkpoint({ a: 1 }), META, { a: 1 });
    await new Promise((r) => setTimeout(r, 300));
    await saver.putWrites(config, [['a', 2]], 'task');
    const keys = await scanKeys(client, 'lm:ttl:{ttl}:*');
    expect(keys.length).toBeGreaterThanOrEqual(5);
    for (const key of keys) {
      const ttl = await client.pttl(key);
      expect(ttl, key).toBeGreaterThan(500);
      expect(ttl, key).toBeLessThanOrEqual(1000);
    }
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await scanKeys(client, 'lm:ttl:{ttl}:*')).toEqual([]);
    expect(await saver.getTuple({ configurable: { thread_id: 'ttl' } })).toBeUndefined();
  });

  it('writes a checkpoint with one script call: its record and index entry land together', async () => {
    const client = await readyClient();
    const saver = new RedisCheckpointSaver({ client, keyPrefix: 'lm:atomic:' });
    const warm = await saver.put({ configurable: { thread_id: 'warm' } }, checkpoint(), META, {});
    await saver.putWrites(warm, [['a', 1]], 't');
    const monitor = await (await readyClient()).monitor();
    const seen: string[][] = [];
    // MONITOR also shows the commands a script runs, with source "lua": keep only what the client sent.
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua') seen.push(args);
    });
    await new Promise((r) => setTimeout(r, 50));
    await saver.put({ configurable: { thread_id: 'atomic' } }, checkpoint({ a: 1 }), META, { a: 1 });
    await saver.putWrites({ configurable: { thread_id: 'atomic', checkpoint_id: 'x' } }, [['a', 1]], 't');
    await new Promise((r) => setTimeout(r, 100));
    monitor.disconnect();
    const touchingThread = seen.filter((args) => args.some((a) => a.includes('{atomic}')));
    expect(touchingThread.map((a) => a[0]!.toLowerCase())).toEqual(['evalsha', 'evalsha']);
  });

  describe('refuses inconsistent data instead of returning it', () => {
    let client: Redis;
    let saver: RedisCheckpointSaver;
    let events: CheckpointOperationEvent[];
    const prefix = 'lm:corrupt:';

    beforeEach(async () => {
      client ??= await readyClient();
      events = [];
      saver = new RedisCheckpointSaver({ client, keyPrefix: prefix, hooks: { onOperation: (e) => events.push(e) } });
    });

    async function seeded(thread: string) {
      const config = await saver.put({ configurable: { thread_id: thread } }, checkpoint({ a: 1 }), META, { a: 1 });
      return { config, id: config.configurable!.checkpoint_id as string, keys: checkpointKeys(prefix, thread) };
    }

    it.each([
      ['an index entry without its record', (k: ReturnType<typeof checkpointKeys>, id: string) => client.hdel(k.checkpoints, id), /lists it but .* has no record/, 'error'],
      ['a record without its index entry', (k: ReturnType<typeof checkpointKeys>, id: string) => client.zrem(k.index, id), /has a record that .* does not list/, 'hidden'],
      ['a record that is not JSON', (k: ReturnType<typeof checkpointKeys>, id: string) => client.hset(k.checkpoints, id, '{"f":1,'), /is not JSON/, 'error'],
      [
        'a record in an unknown format version',
        async (k: ReturnType<typeof checkpointKeys>, id: string) => client.hset(k.checkpoints, id, JSON.stringify({ ...JSON.parse((await client.hget(k.checkpoints, id))!), f: 99 })),
        /format version 99; this build reads 1/,
        'error',
      ],
      ['a channel blob that is not JSON', (k: ReturnType<typeof checkpointKeys>) => client.hset(k.blobs, JSON.stringify(['a', 1]), 'garbage'), /blob .* is not JSON/, 'error'],
    ] as const)('%s', async (_name, corrupt, message, whenListed) => {
      const thread = `corrupt-${uuid6(-1)}`;
      const { config, id, keys } = await seeded(thread);
      await corrupt(keys, id);
      events.length = 0;
      const byId = await failing(() => saver.getTuple(config));
      expect(byId.err).toMatchObject({ code: 'AGT_ERR_CHECKPOINT_CORRUPT', statusCode: 500 });
      expect(byId.err.message).toMatch(message);
      expect(byId.err.message).toContain(thread);
      const list = () => collect(saver.list({ configurable: { thread_id: thread } }));
      if (whenListed === 'error') {
        expect((await failing(list)).err.code).toBe('AGT_ERR_CHECKPOINT_CORRUPT');
      } else {
        // list() and "latest" walk the index, so a record the index lacks is simply not there.
        expect(await list()).toEqual([]);
        expect(await saver.getTuple({ configurable: { thread_id: thread } })).toBeUndefined();
      }
      expect(events.map((e) => `${e.operation}:${e.status}`).slice(0, 2)).toEqual(['load:error', `list:${whenListed === 'error' ? 'error' : 'ok'}`]);
      expect(events[0]!.error).toBe(byId.err);
    });
  });

  it('reports missing thread ids as a typed request error', async () => {
    const saver = new RedisCheckpointSaver({ client: await readyClient(), keyPrefix: 'lm:req:' });
    const put = await failing(() => saver.put({ configurable: {} }, checkpoint(), META, {}));
    expect(put.err).toMatchObject({ code: 'AGT_ERR_CHECKPOINT_REQUEST_INVALID', statusCode: 400 });
    const writes = await failing(() => saver.putWrites({ configurable: { thread_id: 't' } }, [['a', 1]], 'task'));
    expect(writes.err.message).toMatch(/checkpoint_id is required/);
  });

  it('pages through long threads newest first, honouring before, limit and filter', async () => {
    const saver = new RedisCheckpointSaver({ client: await readyClient(), keyPrefix: 'lm:page:' });
    let config: RunnableConfig = { configurable: { thread_id: 'long', checkpoint_ns: '' } };
    const ids: string[] = [];
    for (let i = 0; i < 130; i += 1) {
      config = await saver.put(config, checkpoint(), { ...META, step: i, source: i % 2 ? 'loop' : 'input' }, {});
      ids.push(config.configurable?.checkpoint_id as string);
    }
    const newestFirst = [...ids].reverse();
    const thread = { configurable: { thread_id: 'long' } };
    expect((await collect(saver.list(thread))).map((t) => t.checkpoint.id)).toEqual(newestFirst);
    const before = { configurable: { checkpoint_id: ids[100] } };
    expect((await collect(saver.list(thread, { before, limit: 60 }))).map((t) => t.checkpoint.id)).toEqual(newestFirst.slice(30, 90));
    const loops = await collect(saver.list(thread, { filter: { source: 'loop' }, limit: 70 }));
    expect(loops).toHaveLength(65);
    expect(loops.every((t) => t.metadata?.source === 'loop')).toBe(true);
  });

  it('re-loads its scripts when Redis lost them (SCRIPT FLUSH)', async () => {
    const client = await readyClient();
    const saver = new RedisCheckpointSaver({ client, keyPrefix: 'lm:flush:' });
    const config = await saver.put({ configurable: { thread_id: 'f' } }, checkpoint({ a: 1 }), META, { a: 1 });
    await client.script('FLUSH');
    expect((await saver.getTuple(config))?.checkpoint.channel_values).toEqual({ a: 1 });
  });
});

describe('createCheckpointer', () => {
  it('falls back to an in-memory saver, reported as degraded, when no Redis is configured', async () => {
    const events: CheckpointOperationEvent[] = [];
    const saver = createCheckpointer({ store: {} }, { onOperation: (e) => events.push(e) });
    expect(saver).toBeInstanceOf(InMemoryCheckpointSaver);
    expect(saver.backend).toBe('memory');
    expect(await saver.health()).toMatchObject({ ok: true, backend: 'memory', degraded: true });
    const config = await saver.put({ configurable: { thread_id: 'm' } }, checkpoint({ a: 1 }), META, { a: 1 });
    expect(await saver.getTuple(config)).toBeDefined();
    expect(events.map((e) => `${e.operation}:${e.backend}:${e.status}`)).toEqual(['save:memory:ok', 'load:memory:ok']);
  });

  it('builds a Redis saver from REDIS_URL and feeds the checkpoint metrics', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const saver = createCheckpointer({ store: { redisUrl: redis.url } }, checkpointMetricsHooks(metrics), { keyPrefix: 'lm:factory:' });
    expect(saver).toBeInstanceOf(RedisCheckpointSaver);
    const deadline = Date.now() + 5_000;
    while (!(await saver.health()).ok && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const config = await saver.put({ configurable: { thread_id: 'metrics' } }, checkpoint({ a: 'x'.repeat(2_000) }), META, { a: 1 });
    await saver.putWrites(config, [['a', 1]], 'task');
    await saver.getTuple(config);
    await collect(saver.list(config));
    await saver.deleteThread('metrics');
    const counts = Object.fromEntries(
      (await metrics.checkpointOperations.get()).values.map((v) => [`${v.labels.operation}:${v.labels.backend}:${v.labels.status}`, v.value]),
    );
    expect(counts).toMatchObject({ 'save:redis:success': 2, 'load:redis:success': 2, 'delete:redis:success': 1 });
    const size = (await metrics.checkpointSizeBytes.get()).values.find((v) => v.metricName === 'luminamind_checkpoint_size_bytes_count');
    expect(size?.value).toBe(1);
    await saver.close();
  });
});

describe('Sentinel mode', () => {
  it('finds the master through REDIS_SENTINELS and saves there', async () => {
    const sentinel = await startSentinel(redis, 'lm-master');
    const config = loadConfig({ REDIS_SENTINELS: `127.0.0.1:${sentinel.port}`, REDIS_SENTINEL_NAME: 'lm-master' });
    const saver = createCheckpointer(config, {}, { keyPrefix: 'lm:sentinel:' });
    try {
      expect(saver.backend).toBe('redis');
      const deadline = Date.now() + 5_000;
      while (!(await saver.health()).ok && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const saved = await saver.put({ configurable: { thread_id: 'via-sentinel' } }, checkpoint({ a: 1 }), META, { a: 1 });
      expect((await saver.getTuple(saved))?.checkpoint.channel_values).toEqual({ a: 1 });
      expect(await (await readyClient()).exists(checkpointKeys('lm:sentinel:', 'via-sentinel').index)).toBe(1);
    } finally {
      await saver.close();
      await sentinel.close();
    }
  });
});

// Last: it kills and restarts the server the other tests use.
describe('when Redis dies', () => {
  it('fails every operation fast with a typed error, reports it, and reads again once Redis is back', async () => {
    const events: CheckpointOperationEvent[] = [];
    const client = await readyClient();
    const saver = new RedisCheckpointSaver({ client, keyPrefix: 'lm:chaos:', hooks: { onOperation: (e) => events.push(e) } });
    const thread = { configurable: { thread_id: 'chaos' } };
    const saved = await saver.put(thread, checkpoint({ a: 'before' }), META, { a: 1 });
    expect((await saver.health()).ok).toBe(true);

    await redis.kill('SIGKILL');
    events.length = 0;
    const attempts = [
      () => saver.put(saved, checkpoint({ a: 'during' }), META, { a: 2 }),
      () => saver.putWrites(saved, [['a', 'w']], 'task'),
      () => saver.getTuple(thread),
      () => collect(saver.list(thread)),
      () => saver.deleteThread('chaos'),
    ];
    for (const attempt of attempts) {
      const { err, ms } = await failing(attempt);
      expect(err).toMatchObject({ code: 'AGT_ERR_CHECKPOINT_FAILED', statusCode: 503 });
      expect(err.message).toMatch(/Redis 127\.0\.0\.1:\d+/);
      expect(ms).toBeLessThan(1_000);
    }
    expect(events.map((e) => `${e.operation}:${e.status}`)).toEqual(['save:error', 'writes:error', 'load:error', 'list:error', 'delete:error']);
    expect(events.every((e) => e.error?.message.includes('Checkpoint'))).toBe(true);
    const down = await saver.health();
    expect(down).toMatchObject({ ok: false, backend: 'redis' });
    expect(down.latencyMs).toBeLessThan(600);
    expect(down.error).toMatch(/Redis 127\.0\.0\.1/);

    await redis.restart();
    await waitForRedisReady(client, 10_000);
    expect((await saver.health()).ok).toBe(true);
    const after = await saver.getTuple(thread);
    // The put made while Redis was down never happened; the one before it is intact (append-only file).
    expect(after?.checkpoint.channel_values).toEqual({ a: 'before' });
    expect(after?.pendingWrites).toEqual([]);
    expect(await collect(saver.list(thread))).toHaveLength(1);
  });

  it('fails within the command timeout when Redis is frozen (SIGSTOP), then recovers', async () => {
    const client = await readyClient({ commandTimeoutMs: 300 });
    const saver = new RedisCheckpointSaver({ client, keyPrefix: 'lm:frozen:', healthTimeoutMs: 200 });
    const thread = { configurable: { thread_id: 'frozen' } };
    await saver.put(thread, checkpoint({ a: 1 }), META, { a: 1 });
    await redis.kill('SIGSTOP');
    try {
      const { err, ms } = await failing(() => saver.getTuple(thread));
      expect(err.code).toBe('AGT_ERR_CHECKPOINT_FAILED');
      expect(err.message).toMatch(/timed out/i);
      expect(ms).toBeLessThan(1_500);
      expect(await saver.health()).toMatchObject({ ok: false });
    } finally {
      await redis.kill('SIGCONT');
    }
    const deadline = Date.now() + 5_000;
    while (!(await saver.health()).ok && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect((await saver.getTuple(thread))?.checkpoint.channel_values).toEqual({ a: 1 });
  });
});
