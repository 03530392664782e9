import type { Drill } from '../lab/index.js';

export const redisKill = {
  id: 'redis-kill',
  title: 'redis-server SIGKILLed, restarted on the same port after the fault',
  runbook: 'R2 HighErrorRate (Redis down) / Redis node RTO < 2 min, RPO < 1 s',
  faultSeconds: 4,
  stack: { redis: 'persistent' },
  // The design refuses a chat while its store is down (503 rather than forget): that is what the during phase measures.
  hypothesis: { refuseDuring: { status: 503, code: 'AGT_ERR_CHECKPOINT_FAILED', maxMs: 2_000 }, minQualityAnswered: 0 },
  async inject(stack) {
    const pid = stack.redis!.pid();
    await stack.redis!.kill('SIGKILL');
    return { signal: 'SIGKILL', pid };
  },
  async heal(stack) {
    await stack.redis!.restart();
    return { restartedPid: stack.redis!.pid() };
  },
  withoutResilience: { feature: 'Redis without its append-only file: the restart comes back empty', stack: { redis: 'ephemeral' } },
  alert: { name: 'RedisDown', expect: 'fires', notCheckableLocally: 'RedisDown reads up{job="redis"} / redis_up from redis_exporter, which the drill does not run' },
} satisfies Drill;
