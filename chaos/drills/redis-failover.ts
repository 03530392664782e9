import { setTimeout as sleep } from 'node:timers/promises';
import type { Drill } from '../lab/index.js';
import { DRILL_SENTINEL_TIMING } from '../lab/redis-ha.js';

/** How long heal() waits for the Sentinels to name a new master before it reports that none was promoted. */
const PROMOTION_TIMEOUT_MS = 30_000;

export const redisFailover = {
  id: 'redis-failover',
  title: 'Redis master SIGKILLed under load; three Sentinels promote a replica and the service (Sentinel mode) follows',
  runbook: 'docs/runbooks/redis-recovery.md (failover) / Redis node RTO < 2 min, RPO < 1 s',
  // Only the wait before heal() looks for the promotion: the fault itself is never undone by the drill.
  faultSeconds: 1,
  // Enough threads acknowledged more than 1 s before the kill for the data check to mean something.
  beforeSeconds: 8,
  stack: { redis: 'replicated', redisClient: 'sentinel' },
  recoveryClock: 'from-fault',
  // While no master is known a chat is refused with the documented 503 within the store's 2 s command/connect timeout
  // (+1 s slack for a loaded machine); once the
  // replica is promoted it is served again. Replication is asynchronous: a write in the last second before the kill
  // may be lost (the RPO, reported); every older one must read back.
  hypothesis: { refuseDuring: { status: 503, code: 'AGT_ERR_CHECKPOINT_FAILED', maxMs: 3_000, mayServe: true }, minQualityAnswered: 0, rpoSeconds: 1 },
  async inject(stack) {
    const ha = stack.redisHa!;
    const masterPort = await ha.masterPort();
    const master = ha.nodes.find((n) => n.port === masterPort);
    if (!master) throw new Error(`redis-failover: no node is the master the Sentinels name (${masterPort})`);
    const pid = master.pid();
    await master.kill('SIGKILL');
    return { signal: 'SIGKILL', pid, masterPort, sentinelTiming: DRILL_SENTINEL_TIMING };
  },
  async heal(stack) {
    const ha = stack.redisHa!;
    const killed = ha.nodes.find((n) => !n.alive())?.port;
    const started = performance.now();
    let promoted: number | undefined;
    while (performance.now() - started < PROMOTION_TIMEOUT_MS) {
      promoted = await ha.masterPort();
      if (promoted !== undefined && promoted !== killed) break;
      await sleep(100);
    }
    // The old master stays down: in Kubernetes its StatefulSet restarts it and redis-start.sh asks a Sentinel for the
    // master first, so it rejoins as a replica. The drill measures the promotion and the service, not that restart.
    return promoted !== undefined && promoted !== killed
      ? { promotedPort: promoted, promotionSeenAfterHealS: Math.round(performance.now() - started) / 1000 }
      : { promotedPort: null, note: `no replica promoted within ${PROMOTION_TIMEOUT_MS} ms` };
  },
  withoutResilience: { feature: 'the service pinned to the first master by REDIS_URL instead of asking the Sentinels', stack: { redisClient: 'direct' } },
  alert: { name: 'RedisDown', expect: 'fires', notCheckableLocally: 'RedisDown reads up{job="redis"} / redis_up from redis_exporter, which the drill does not run' },
} satisfies Drill;
