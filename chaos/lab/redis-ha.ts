import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { type RedisServer, startRedis, startSentinel } from '../../load/index.js';

const run = promisify(execFile);

/** The Sentinel group name, as in deploy/k8s (`MASTER_NAME`). */
export const MASTER_NAME = 'luminamind';

/**
 * Sentinel timing for the drill. Production (deploy/k8s/base/redis/configmap.yaml) waits 5 s before calling a master
 * down and allows 60 s per failover attempt, sized for pod networks and node pauses. On loopback a ping is answered in
 * microseconds, so 1 s of silence already means a dead process, and a stuck attempt is retried after 5 s instead of a
 * minute: the drill then measures the service's reconnect, not Sentinel's patience. The RTO on a cluster is this RTO
 * plus the difference (≈ +4 s detection).
 */
export const DRILL_SENTINEL_TIMING = { downAfterMs: 1_000, failoverTimeoutMs: 5_000 } as const;


export interface RedisHa {
  readonly name: string;
  /** nodes[0] is the first master; the others start as its replicas. */
  readonly nodes: RedisServer[];
  readonly sentinels: RedisServer[];
  /** `REDIS_SENTINELS` for the service: `127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3`. */
  readonly sentinelList: string;
  /** The master's port as the Sentinels answer it (majority of those reachable), or undefined. */
  masterPort(): Promise<number | undefined>;
  close(): Promise<void>;
}


/** One redis-cli call against 127.0.0.1:port; undefined when it cannot connect or errors. */
export async function redisCli(port: number, args: readonly string[], timeoutMs = 2_000): Promise<string | undefined> {
  try {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: timeoutMs });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

/** Starts `count` servers at once, in index order into `into` (for close()) as each comes up; throws the first failure once all settled. */
async function startAll(count: number, into: RedisServer[], start: (i: number) => Promise<RedisServer>): Promise<void> {
  const started = await Promise.allSettled(Array.from({ length: count }, (_, i) => start(i)));
  for (const r of started) if (r.status === 'fulfilled') into.push(r.value);
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`redis-ha: ${what} not reached within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Data-node settings shared by master and replicas, as production's redis.conf: AOF every second, writes refused without a replica. */
const nodeArgs = (port: number, dir: string) => [
  '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
  '--appendonly', 'yes', '--appendfsync', 'everysec',
  '--min-replicas-to-write', '1', '--min-replicas-max-lag', '10',
  // Setup only: a master waits this long (default 5 s) for more replicas before a diskless full sync. Both replicas
  // start at once, so the group starts with 0 and gets the default back (PRODUCTION_SYNC_DELAY) before any drill phase.
  '--repl-diskless-sync-delay', '0',
];

/** Redis's (and production's, which leaves it unset) repl-diskless-sync-delay, restored on every node once in sync. */
const PRODUCTION_SYNC_DELAY = '5';

/**
 * A real Redis HA group on 127.0.0.1: one master, `replicas` replicas and three Sentinels (quorum 2), each a
 * redis-server process with its own temp dir and free port. Resolves once every replica is in sync and every Sentinel
 * knows the replicas and the other Sentinels, so a failover can be elected. close() kills all of it and removes the dirs.
 */
export async function startRedisHa(options: { replicas?: number; sentinels?: number } = {}): Promise<RedisHa> {
  const nodes: (RedisServer)[] = [];
  const sentinels: (RedisServer)[] = [];
  const close = async () => {
    for (const n of [...sentinels, ...nodes]) await n.close().catch(() => {});
  };
  try {
    const master = await startRedis({ args: nodeArgs, name: 'redis-master' });
    nodes.push(master);
    const replicaCount = options.replicas ?? 2;
    // Replicas (and below the Sentinels) are independent processes: started side by side, each kept for close() as
    // soon as it is up, so a failed one never leaves the others running.
    await startAll(replicaCount, nodes, (i) => startRedis({ args: (port, dir) => [...nodeArgs(port, dir), '--replicaof', '127.0.0.1', String(master.port)], name: `redis-replica${i + 1}` }));
    await until(
      `${replicaCount} replicas online`,
      async () => ((await redisCli(master.port, ['INFO', 'replication'])) ?? '').split('\n').filter((l) => /^slave\d+:.*state=online/.test(l)).length === replicaCount,
      15_000,
    );
    // Any node may be master after a failover: each gets production's sync delay back before the drill sees it.
    for (const n of nodes) if ((await redisCli(n.port, ['CONFIG', 'SET', 'repl-diskless-sync-delay', PRODUCTION_SYNC_DELAY])) !== 'OK') throw new Error(`redis-ha: cannot restore repl-diskless-sync-delay on ${n.port}`);
    const sentinelCount = options.sentinels ?? 3;
    const quorum = Math.floor(sentinelCount / 2) + 1;
    await startAll(sentinelCount, sentinels, (i) =>
      startSentinel(master, MASTER_NAME, {
        quorum,
        label: `redis-sentinel${i + 1}`,
        lines: [
          `sentinel down-after-milliseconds ${MASTER_NAME} ${DRILL_SENTINEL_TIMING.downAfterMs}`,
          `sentinel failover-timeout ${MASTER_NAME} ${DRILL_SENTINEL_TIMING.failoverTimeoutMs}`,
          `sentinel parallel-syncs ${MASTER_NAME} 1`,
        ],
      }),
    );
    // Sentinels find each other and the replicas through the master's hello channel (every 2 s): wait for the full picture.
    await until(
      'every Sentinel seeing the replicas and the other Sentinels',
      async () => {
        for (const s of sentinels) {
          const fields = ((await redisCli(s.port, ['SENTINEL', 'master', MASTER_NAME])) ?? '').split('\n');
          const field = (name: string) => Number(fields[fields.indexOf(name) + 1]);
          if (field('num-slaves') !== replicaCount || field('num-other-sentinels') !== sentinelCount - 1) return false;
        }
        return true;
      },
      20_000,
    );
  } catch (err) {
    await close();
    throw err;
  }
  return {
    name: MASTER_NAME,
    nodes,
    sentinels,
    sentinelList: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
    async masterPort() {
      const votes = new Map<number, number>();
      for (const s of sentinels) {
        if (!s.alive()) continue;
        const answer = (await redisCli(s.port, ['SENTINEL', 'get-master-addr-by-name', MASTER_NAME]))?.split('\n');
        const port = Number(answer?.[1]);
        if (port) votes.set(port, (votes.get(port) ?? 0) + 1);
      }
      return [...votes].sort((a, b) => b[1] - a[1])[0]?.[0];
    },
    close,
  };
}
