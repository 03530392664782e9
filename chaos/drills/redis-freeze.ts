import type { Drill } from '../lab/index.js';

export const redisFreeze = {
  id: 'redis-freeze',
  title: 'redis-server frozen with SIGSTOP, thawed with SIGCONT',
  runbook: 'R3 Latency / R2 (Redis unresponsive, not down)',
  faultSeconds: 4,
  stack: { redis: 'persistent' },
  // A frozen store is slow, not gone: most requests wait for it and are served (the rest are refused with 503).
  hypothesis: { minSuccessDuring: 0.5, minQualityAnswered: 2 },
  async inject(stack) {
    await stack.redis!.kill('SIGSTOP');
    return { signal: 'SIGSTOP', pid: stack.redis!.pid() };
  },
  async heal(stack) {
    await stack.redis!.kill('SIGCONT');
    return { signal: 'SIGCONT', pid: stack.redis!.pid() };
  },
  // The service has one store and no second one to fail over to, so a hypothesis that demands full service during the freeze fails.
  withoutResilience: { feature: 'no store failover: demand ≥99 % success while Redis is frozen', hypothesis: { minSuccessDuring: 0.99 } },
  // No Chaos Mesh experiment freezes Redis; a frozen node fails redis_exporter's scrape just like a dead one.
  alert: { name: 'RedisDown', expect: 'fires', notCheckableLocally: 'RedisDown reads up{job="redis"} / redis_up from redis_exporter, which the drill does not run' },
} satisfies Drill;
