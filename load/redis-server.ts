import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { reapOnExit } from './reap-on-exit.js';
import { freeLoopbackPort } from './service-process.js';

// The one launcher of private redis-servers, for the harness (load soaks, chaos drills, the Redis HA lab) and, as the
// declared test exception of the import table, for the agent's own Redis tests. It is lab equipment, not part of the
// agent's public face.

export interface RedisServerOptions {
  /** Keep data across restart(): append-only file in its private dir, fsync always. Off by default. */
  readonly persist?: boolean;
  /** The whole argument list instead of the default (port, bind, dir, no snapshots); for replicas and Sentinels. */
  readonly args?: (port: number, dir: string) => string[] | Promise<string[]>;
  /** Names its temp dir and its errors (`redis-master`, `redis-sentinel1`…). */
  readonly name?: string;
  /** How long to wait for PONG after spawning. */
  readonly startTimeoutMs?: number;
}

export interface RedisServer {
  readonly url: string;
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Its private temp dir (working dir, append-only file); removed by close(). */
  readonly dir: string;
  /** Pid of the current redis-server process (changes on restart). */
  pid(): number | undefined;
  alive(): boolean;
  /** Sends a signal (SIGKILL by default); SIGKILL/SIGTERM/SIGINT wait until it has exited. SIGSTOP/SIGCONT freeze and thaw it. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port, dir and arguments (killing the old one first if it still runs) and waits for PONG. */
  restart(): Promise<void>;
  /** Kills it and removes its dir; idempotent. */
  close(): Promise<void>;
}

/** One raw PING over TCP: no client library, so readiness never depends on the code under test. */
export async function pingRedis(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.on('error', () => done(false));
  });
}

const exited = (c: ChildProcess) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise<void>((done) => c.once('exit', () => done())));

const defaultArgs = (persist: boolean) => (port: number, dir: string) => [
  '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir,
  ...(persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
];

/**
 * Starts a private redis-server on a free 127.0.0.1 port in its own temp dir and waits for PONG. Never touches a
 * shared instance; the process dies with this one (reapOnExit, plus a watchdog for a SIGKILLed parent).
 *
 * @example
 *   const redis = await startRedis();
 *   afterAll(() => redis.close());
 *   await redis.kill('SIGKILL'); await redis.restart();
 */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const name = options.name ?? 'redis';
  const argsFor = options.args ?? defaultArgs(options.persist ?? false);
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  const dir = await mkdtemp(join(tmpdir(), `lm-${name}-`));
  let port = 0;
  let args: string[] = [];
  let child: ChildProcess | undefined;
  let output = '';
  let closed = false;
  const alive = () => Boolean(child && child.exitCode === null && child.signalCode === null);

  const spawnIt = async (): Promise<void> => {
    output = '';
    const proc = spawn('redis-server', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    reapOnExit(proc);
    // A parent killed by SIGKILL runs no exit hook: the watchdog takes redis-server down within a second.
    const watchdog = spawn('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -9 ${proc.pid} 2>/dev/null`], { stdio: 'ignore', detached: true });
    watchdog.unref();
    proc.once('exit', () => watchdog.kill('SIGKILL'));
    for (const s of [proc.stdout, proc.stderr]) s?.on('data', (c: Buffer) => (output = (output + c.toString('utf8')).slice(-4_000)));
    const spawnError = new Promise<Error>((resolve) => proc.once('error', resolve));
    const deadline = Date.now() + timeoutMs;
    while (!(await pingRedis(port))) {
      const failure = await Promise.race([spawnError, sleep(50)]);
      if (failure) throw new Error(`cannot run redis-server (${name}): ${failure.message}`);
      if (!alive()) throw new Error(`redis-server (${name}) on port ${port} exited early: ${output.trim().slice(-1_500)}`);
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        await exited(proc);
        throw new Error(`redis-server (${name}) on port ${port} gave no PONG within ${timeoutMs} ms: ${output.trim().slice(-1_500)}`);
      }
    }
  };

  // The OS hands out a free port, but redis-server can still lose a race for it: try a few.
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    port = await freeLoopbackPort();
    args = await argsFor(port, dir);
    try {
      await spawnIt();
      lastError = undefined;
      break;
    } catch (err) {
      lastError = err;
    }
  }
  if (lastError) {
    await rm(dir, { recursive: true, force: true });
    throw lastError;
  }

  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const proc = child;
    if (!proc || !alive()) return;
    proc.kill(signal);
    if (signal === 'SIGKILL' || signal === 'SIGTERM' || signal === 'SIGINT') await exited(proc);
  };
  // A frozen (SIGSTOPped) process is thawed first so the SIGKILL is delivered and reaped.
  const stop = async () => {
    if (alive()) child!.kill('SIGCONT');
    await kill('SIGKILL');
  };

  return {
    url: `redis://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    dir,
    pid: () => child?.pid,
    alive,
    kill,
    async restart() {
      if (closed) throw new Error('restart() after close()');
      await stop();
      await spawnIt();
    },
    async close() {
      if (closed) return;
      closed = true;
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts a Redis Sentinel watching `master` under `name` (quorum 1 unless `lines` say otherwise), for Sentinel-mode
 * tests (`REDIS_SENTINELS=127.0.0.1:<port>`). Same controls as {@link startRedis}; its `url` is the Sentinel's own.
 *
 * @example
 *   const sentinel = await startSentinel(redis);
 *   loadConfig({ REDIS_SENTINELS: `127.0.0.1:${sentinel.port}`, REDIS_SENTINEL_NAME: 'mymaster' });
 */
export async function startSentinel(master: Pick<RedisServer, 'port'>, name = 'mymaster', options: { quorum?: number; lines?: string[]; label?: string } = {}): Promise<RedisServer> {
  return startRedis({
    name: options.label ?? 'redis-sentinel',
    args: async (port, dir) => {
      const conf = join(dir, 'sentinel.conf');
      // Sentinel rewrites its config file, so each one gets its own writable copy.
      await writeFile(conf, [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor ${name} 127.0.0.1 ${master.port} ${options.quorum ?? 1}`, ...(options.lines ?? []), ''].join('\n'));
      return [conf, '--sentinel'];
    },
  });
}
