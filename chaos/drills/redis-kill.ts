import type { Drill } from './types.js';

export const redisKill = {
  id: 'redis-kill',
  title: 'redis-server SIGKILLed, restarted on the same port after the fault',
  runbook: 'R2 HighErrorRate (Redis down) / Redis node RTO < 2 min, RPO < 1 s',
  faultSeconds: 4,
  stack: { redis: 'persistent' },
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
