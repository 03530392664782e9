// LangGraph's official conformance suite; it takes about a second, so it runs in `npm test` as well as in `npm run test:checkpointer`.
import { validate } from '@langchain/langgraph-checkpoint-validation';
import { Redis } from 'ioredis';
import { RedisCheckpointSaver } from './redis-checkpointer.js';
import { failFastRedisOptions, waitForRedisReady } from './redis-client.js';
import { type RedisServer, startRedis } from '../../../load/redis-server.js';

let redis: RedisServer | undefined;
let client: Redis | undefined;
let savers = 0;

// One private redis-server for the whole suite; each checkpointer the suite asks for gets its own key prefix,
// so "list without a thread id" sees only that checkpointer's threads, exactly like a fresh MemorySaver.
validate<RedisCheckpointSaver>({
  checkpointerName: 'RedisCheckpointSaver',
  beforeAllTimeout: 30_000,
  async beforeAll() {
    redis = await startRedis();
    client = new Redis(redis.url, failFastRedisOptions());
    await waitForRedisReady(client);
  },
  async afterAll() {
    client?.disconnect();
    await redis?.close();
  },
  createCheckpointer() {
    if (!client) throw new Error('redis-server not started');
    savers += 1;
    return new RedisCheckpointSaver({ client, keyPrefix: `lm:cp:conformance${savers}:` });
  },
  async destroyCheckpointer(saver) {
    const keys = (await client?.keys(`${saver.keyPrefix}*`)) ?? [];
    if (keys.length) await client?.unlink(...keys);
  },
});
