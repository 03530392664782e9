import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { startSimulator, type Simulator } from '../../evals/sim/index.js';
import { loadConfig, type Config } from './config.js';
import { createLogCapture } from './observability/logging.js';
import { AUTH_HEADERS, SERVICE_CASSETTES, testServiceEnv } from './routes/service.test-support.js';
import { buildServer } from './server.js';
import { createRedisClient, waitForRedisReady } from './store/redis-client.js';
import { type RedisServer, startRedis } from '../../load/redis-server.js';

// The service on a real redis-server: state survives a new server instance, DELETE erases every key, limits are shared.
describe('the service on Redis', () => {
  let redisServer: RedisServer;
  let sim: Simulator;
  let root: string;
  const clients: Redis[] = [];
  const apps: FastifyInstance[] = [];

  beforeAll(async () => {
    redisServer = await startRedis();
    sim = await startSimulator({ cassettes: SERVICE_CASSETTES });
    root = await mkdtemp(join(tmpdir(), 'lm-svc-int-'));
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const c of clients) c.disconnect();
    await sim?.close();
    await redisServer?.close();
    await rm(root, { recursive: true, force: true });
  });

  function configWith(env: Record<string, string> = {}): Config {
    return loadConfig({
      ...testServiceEnv(sim.url, root),
      REDIS_URL: redisServer.url,
      ...env,
    });
  }

  async function server(env: Record<string, string> = {}): Promise<FastifyInstance> {
    const config = configWith(env);
    const redis = createRedisClient(config.store, { onError: () => undefined })!;
    clients.push(redis);
    await waitForRedisReady(redis);
    const app = await buildServer(config, { redis, logStream: createLogCapture().stream });
    apps.push(app);
    return app;
  }

  async function keysOf(threadId: string): Promise<string[]> {
    const probe = clients[0]!;
    return (await probe.keys('*')).filter((k) => k.includes(threadId));
  }

  it('continues a conversation on a new server instance over the same Redis', async () => {
    const first = await server();
    const turn1 = await first.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { thread_id: 'persist-1', message: 'Say hello' } });
    expect(turn1.statusCode).toBe(200);
    await first.close();

    const second = await server();
    const turn2 = await second.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { thread_id: 'persist-1', message: 'And again?' } });
    expect(turn2.statusCode).toBe(200);
    expect(turn2.json().answer).toBe('Hello again, still here to help.');
    const history = await second.inject({ method: 'GET', url: '/v1/threads/persist-1', headers: AUTH_HEADERS });
    expect(history.json().messages).toHaveLength(4);
    const ready = await second.inject({ method: 'GET', url: '/ready' });
    expect(ready.json()).toMatchObject({ status: 'ready', failing: [] });
    expect(ready.json().checks.checkpointer).toMatchObject({ ok: true, degraded: false });
  });

  it('DELETE erases every key of the thread: checkpoints, cached tool results, workspace', async () => {
    const app = await server();
    await mkdir(join(root, 'erase-1'), { recursive: true });
    await writeFile(join(root, 'erase-1', 'notes.txt'), 'remember the milk\n');
    const res = await app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { thread_id: 'erase-1', message: 'What is in notes.txt?' } });
    expect(res.statusCode).toBe(200);
    const before = await keysOf('erase-1');
    expect(before.some((k) => k.startsWith('lm:cp:'))).toBe(true);
    expect(before.some((k) => k.startsWith('lm:cache:{erase-1}:read_file:'))).toBe(true);

    const del = await app.inject({ method: 'DELETE', url: '/v1/threads/erase-1', headers: AUTH_HEADERS });
    expect(del.statusCode).toBe(204);
    expect(await keysOf('erase-1')).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/v1/threads/erase-1', headers: AUTH_HEADERS })).statusCode).toBe(404);
  });

  it('answers 429 at the configured count, counted across instances through Redis', async () => {
    const a = await server({ RATE_LIMIT_REQUESTS_PER_MIN: '3' });
    const b = await server({ RATE_LIMIT_REQUESTS_PER_MIN: '3' });
    // The earlier tests spent this key's window; start a fresh one.
    const spent = await clients[0]!.keys('lm:rl:edge:*');
    if (spent.length) await clients[0]!.del(...spent);
    const feedback = { thread_id: 'rl', run_id: 'r', rating: 'good' };
    const statuses: number[] = [];
    for (const app of [a, b, a, b]) statuses.push((await app.inject({ method: 'POST', url: '/v1/feedback', headers: AUTH_HEADERS, payload: feedback })).statusCode);
    // The route answers 404 (unknown run) until the shared edge limit refuses the fourth request.
    expect(statuses).toEqual([404, 404, 404, 429]);
  });

  it('says which part failed when Redis dies, fails chats clearly, and recovers', async () => {
    const app = await server();
    await redisServer.kill('SIGKILL');
    const ready = await app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().failing).toEqual(expect.arrayContaining(['redis', 'checkpointer']));
    const chat = await app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { thread_id: 'down-1', message: 'Say hello' } });
    expect(chat.statusCode).toBe(503);
    expect(chat.json().error.code).toBe('AGT_ERR_CHECKPOINT_FAILED');
    // The edge limit (preParsing) fails open: the request reaches validation, which answers for itself.
    const invalid = await app.inject({ method: 'POST', url: '/v1/feedback', headers: AUTH_HEADERS, payload: { thread_id: 'down-1', run_id: 'r' } });
    expect(invalid.json().error.code).toBe('AGT_ERR_REQUEST_INVALID');
    // Feedback cannot check its run without Redis: "could not check" is a 503, neither accepted nor a 404.
    const feedback = await app.inject({ method: 'POST', url: '/v1/feedback', headers: AUTH_HEADERS, payload: { thread_id: 'down-1', run_id: 'r', rating: 'good' } });
    expect(feedback.statusCode).toBe(503);
    expect(feedback.json().error.code).toBe('AGT_ERR_CHECKPOINT_FAILED');

    await redisServer.restart();
    await waitForRedisReady(clients.at(-1)!, 5_000);
    const after = await app.inject({ method: 'GET', url: '/ready' });
    expect(after.statusCode).toBe(200);
  });
});
