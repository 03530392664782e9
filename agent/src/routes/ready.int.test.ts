import { startSimulator } from '../../../evals/sim/index.js';
import { SERVICE_CASSETTES, startTestService } from './service.test-support.js';

describe('GET /health and /ready', () => {
  it('is live, and ready but degraded on the in-memory fallbacks', async () => {
    const svc = await startTestService();
    try {
      expect((await svc.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
      const res = await svc.app.inject({ method: 'GET', url: '/ready' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.status).toBe('degraded');
      expect(body.failing).toEqual([]);
      expect(body.checks.model.ok).toBe(true);
      expect(body.checks.checkpointer).toMatchObject({ ok: true, degraded: true });
      expect(body.checks.redis).toMatchObject({ ok: true, degraded: true });
    } finally {
      await svc.close();
    }
  });

  it('answers 503 naming the model when the model endpoint is gone', async () => {
    const sim = await startSimulator({ cassettes: SERVICE_CASSETTES });
    const svc = await startTestService({}, {}, sim);
    try {
      await sim.close();
      const res = await svc.app.inject({ method: 'GET', url: '/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'unavailable', failing: ['model'] });
      expect(res.json().checks.model.ok).toBe(false);
      expect((await svc.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    } finally {
      await svc.close();
    }
  });

  it('names a failing checkpointer and a failing Redis', async () => {
    const { MemorySaver } = await import('@langchain/langgraph');
    const saver = Object.assign(new MemorySaver(), { health: async () => ({ ok: false, backend: 'redis', degraded: false, error: 'connection refused' }) });
    const { createRedisClient } = await import('../store/redis-client.js');
    // Nothing listens on port 1: every command fails fast, as with a Redis that went away.
    const redis = createRedisClient({ redisUrl: 'redis://127.0.0.1:1', redisSentinel: undefined, redisPassword: undefined }, { onError: () => undefined })!;
    const svc = await startTestService({}, { checkpointer: saver, redis });
    try {
      const res = await svc.app.inject({ method: 'GET', url: '/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json().failing.sort()).toEqual(['checkpointer', 'redis']);
      expect(res.json().checks.checkpointer.detail).toBe('connection refused');
      expect(res.json().checks.redis.ok).toBe(false);
    } finally {
      redis.disconnect();
      await svc.close();
    }
  });
});
