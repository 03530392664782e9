import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freeLoopbackPort, reapOnExit } from '../../load/index.js';

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

export interface RedisNode {
  readonly port: number;
  readonly dir: string;
  readonly url: string;
  pid(): number | undefined;
  /** Sends a signal; SIGKILL/SIGTERM wait until the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the same process again (same port, dir and arguments). */
  restart(): Promise<void>;
  alive(): boolean;
}

export interface RedisHa {
  readonly name: string;
  /** nodes[0] is the first master; the others start as its replicas. */
  readonly nodes: RedisNode[];
  readonly sentinels: RedisNode[];
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

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`redis-ha: ${what} not reached within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Spawns `redis-server <args>` on a fresh port in a private dir and waits for PONG. */
export async function startRedisNode(argsFor: (port: number, dir: string) => Promise<string[]> | string[], options: { name: string }): Promise<RedisNode & { close(): Promise<void> }> {
  const port = await freeLoopbackPort();
  const dir = await mkdtemp(join(tmpdir(), `lm-${options.name}-`));
  const args = await argsFor(port, dir);
  let child: ChildProcess | undefined;
  let output = '';
  const alive = () => Boolean(child && child.exitCode === null && child.signalCode === null);
  const exited = (c: ChildProcess) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((done) => c.once('exit', () => done())));
  const spawnIt = async () => {
    output = '';
    const proc = spawn('redis-server', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    reapOnExit(proc);
    for (const s of [proc.stdout, proc.stderr]) s?.on('data', (c: Buffer) => (output = (output + c.toString('utf8')).slice(-4_000)));
    const deadline = Date.now() + 10_000;
    while ((await redisCli(port, ['PING'], 500)) !== 'PONG') {
      if (!alive()) throw new Error(`redis-server (${options.name}) exited: ${output.slice(-1_500)}`);
      if (Date.now() > deadline) throw new Error(`redis-server (${options.name}) gave no PONG: ${output.slice(-1_500)}`);
      await sleep(50);
    }
  };
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const proc = child;
    if (!proc || !alive()) return;
    proc.kill(signal);
    if (signal === 'SIGKILL' || signal === 'SIGTERM') await exited(proc);
  };
  try {
    await spawnIt();
  } catch (err) {
    await kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    dir,
    url: `redis://127.0.0.1:${port}`,
    pid: () => child?.pid,
    kill,
    alive,
    async restart() {
      if (alive()) {
        child!.kill('SIGCONT');
        await kill('SIGKILL');
      }
      await spawnIt();
    },
    async close() {
      if (child && alive()) child.kill('SIGCONT');
      await kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Data-node settings shared by master and replicas, as production's redis.conf: AOF every second, writes refused without a replica. */
const nodeArgs = (port: number, dir: string) => [
  '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '',
  '--appendonly', 'yes', '--appendfsync', 'everysec',
  '--min-replicas-to-write', '1', '--min-replicas-max-lag', '10',
];

/**
 * A real Redis HA group on 127.0.0.1: one master, `replicas` replicas and three Sentinels (quorum 2), each a
 * redis-server process with its own temp dir and free port. Resolves once every replica is in sync and every Sentinel
 * knows the replicas and the other Sentinels, so a failover can be elected. close() kills all of it and removes the dirs.
 */
export async function startRedisHa(options: { replicas?: number; sentinels?: number } = {}): Promise<RedisHa> {
  const nodes: (RedisNode & { close(): Promise<void> })[] = [];
  const sentinels: (RedisNode & { close(): Promise<void> })[] = [];
  const close = async () => {
    for (const n of [...sentinels, ...nodes]) await n.close().catch(() => {});
  };
  try {
    const master = await startRedisNode((port, dir) => nodeArgs(port, dir), { name: 'redis-master' });
    nodes.push(master);
    const replicaCount = options.replicas ?? 2;
    for (let i = 0; i < replicaCount; i++) {
      nodes.push(await startRedisNode((port, dir) => [...nodeArgs(port, dir), '--replicaof', '127.0.0.1', String(master.port)], { name: `redis-replica${i + 1}` }));
    }
    await until(
      `${replicaCount} replicas online`,
      async () => ((await redisCli(master.port, ['INFO', 'replication'])) ?? '').split('\n').filter((l) => /^slave\d+:.*state=online/.test(l)).length === replicaCount,
      15_000,
    );
    const sentinelCount = options.sentinels ?? 3;
    const quorum = Math.floor(sentinelCount / 2) + 1;
    for (let i = 0; i < sentinelCount; i++) {
      sentinels.push(
        await startRedisNode(
          async (port, dir) => {
            const conf = join(dir, 'sentinel.conf');
            // Sentinel rewrites its config file, so each one gets its own writable copy.
            await writeFile(
              conf,
              [
                `port ${port}`,
                'bind 127.0.0.1',
                `dir ${dir}`,
                `sentinel monitor ${MASTER_NAME} 127.0.0.1 ${master.port} ${quorum}`,
                `sentinel down-after-milliseconds ${MASTER_NAME} ${DRILL_SENTINEL_TIMING.downAfterMs}`,
                `sentinel failover-timeout ${MASTER_NAME} ${DRILL_SENTINEL_TIMING.failoverTimeoutMs}`,
                `sentinel parallel-syncs ${MASTER_NAME} 1`,
                '',
              ].join('\n'),
            );
            return [conf, '--sentinel'];
          },
          { name: `redis-sentinel${i + 1}` },
        ),
      );
    }
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
