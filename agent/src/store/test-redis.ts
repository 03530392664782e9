import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StartRedisOptions {
  /** Keep data across restart() (append-only file in the temp dir); off by default, like the brief's drills. */
  readonly persist?: boolean;
  /** How long to wait for PONG after spawning. */
  readonly startTimeoutMs?: number;
  /** Path of the binary; `redis-server` from PATH by default. */
  readonly binary?: string;
}

export interface TestRedis {
  readonly url: string;
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Its private temp dir (working dir, append-only file); removed by close(). */
  readonly dir: string;
  /** Pid of the current redis-server process (changes on restart). */
  readonly pid: () => number | undefined;
  /** Sends a signal (SIGKILL by default); for SIGKILL/SIGTERM it waits until the process has exited. SIGSTOP/SIGCONT freeze and thaw it. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts redis-server again on the same port (killing the old one first if it still runs) and waits for PONG. */
  restart(): Promise<void>;
  /** Kills the server and removes its temp dir; idempotent. */
  close(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test worker that exits without afterAll (crash, bail) must not leave redis-servers behind.
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/** A port the OS just handed out on 127.0.0.1; redis-server may still lose a race for it, so start retries. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** One raw PING over TCP: no client library, so readiness checks never depend on the code under test. */
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

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts a private redis-server on a free 127.0.0.1 port (no RDB snapshots, no AOF unless `persist`), waits
 * for PONG, and hands back controls for chaos drills. Never touches the shared instance on 6379.
 *
 * @example
 *   const redis = await startRedis();
 *   afterAll(() => redis.close());
 *   await redis.kill('SIGKILL'); await redis.restart();
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<TestRedis> {
  return launch(options, (port, dir) => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', options.persist ? 'yes' : 'no', '--dir', dir];
    return options.persist ? [...args, '--appendfsync', 'always'] : args;
  });
}

/**
 * Starts a Redis Sentinel (quorum 1) watching `master` under `name`, for tests of Sentinel mode
 * (`REDIS_SENTINELS=127.0.0.1:<port>`). Same controls as {@link startRedis}; its `url` is the Sentinel's own.
 *
 * @example
 *   const sentinel = await startSentinel(redis);
 *   loadConfig({ REDIS_SENTINELS: `127.0.0.1:${sentinel.port}`, REDIS_SENTINEL_NAME: 'mymaster' });
 */
export async function startSentinel(master: Pick<TestRedis, 'port'>, name = 'mymaster', options: Omit<StartRedisOptions, 'persist'> = {}): Promise<TestRedis> {
  return launch(options, (port, dir) => {
    const conf = join(dir, 'sentinel.conf');
    // Sentinel rewrites its config file, so each start gets a fresh, writable one.
    writeFileSync(conf, [`port ${port}`, 'bind 127.0.0.1', `dir ${dir}`, `sentinel monitor ${name} 127.0.0.1 ${master.port} 1`, ''].join('\n'));
    return [conf, '--sentinel'];
  });
}

async function launch(options: Omit<StartRedisOptions, 'persist'>, argsFor: (port: number, dir: string) => string[]): Promise<TestRedis> {
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), 'lm-redis-'));
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  let child: ChildProcess | undefined;
  let stderr = '';
  let closed = false;

  const spawnOn = async (port: number): Promise<void> => {
    const args = argsFor(port, dir);
    stderr = '';
    const proc = spawn(options.binary ?? 'redis-server', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    live.add(proc);
    // Watchdog: if this test process dies without running any hook (SIGKILL, OOM), redis-server follows within 1 s.
    const watchdog = spawn('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -9 ${proc.pid} 2>/dev/null`], {
      stdio: 'ignore',
      detached: true,
    });
    watchdog.unref();
    proc.once('exit', () => {
      live.delete(proc);
      watchdog.kill('SIGKILL');
    });
    proc.stdout?.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4000)));
    proc.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4000)));
    const spawnError = new Promise<Error>((resolve) => proc.once('error', resolve));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const failure = await Promise.race([spawnError, new Promise<undefined>((r) => setTimeout(() => r(undefined), 50))]);
      if (failure) throw new Error(`cannot run redis-server: ${failure.message}`);
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`redis-server on port ${port} exited early: ${stderr.trim()}`);
      if (await pingRedis(port)) return;
    }
    proc.kill('SIGKILL');
    await exited(proc);
    throw new Error(`redis-server on port ${port} gave no PONG within ${timeoutMs} ms: ${stderr.trim()}`);
  };

  let port = 0;
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    port = await freePort();
    try {
      await spawnOn(port);
      lastError = undefined;
      break;
    } catch (err) {
      lastError = err;
    }
  }
  if (lastError) {
    rmSync(dir, { recursive: true, force: true });
    throw lastError;
  }

  const kill = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(signal);
    if (signal === 'SIGKILL' || signal === 'SIGTERM' || signal === 'SIGINT') await exited(proc);
  };

  return {
    url: `redis://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    dir,
    pid: () => child?.pid,
    kill,
    async restart() {
      if (closed) throw new Error('restart() after close()');
      const proc = child;
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGCONT');
        proc.kill('SIGKILL');
        await exited(proc);
      }
      await spawnOn(port);
    },
    async close() {
      if (closed) return;
      closed = true;
      const proc = child;
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGKILL');
        await exited(proc);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
