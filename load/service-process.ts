import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { reapOnExit } from './reap-on-exit.js';

export interface ServiceProcess {
  readonly url: string;
  readonly port: number;
  pid(): number | undefined;
  /** Resolves with how the current process ended (code or signal). */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the service again on the same port and waits for /health. */
  restart(): Promise<void>;
  stderrTail(): string;
  close(): Promise<void>;
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`service exited before it was healthy: ${stderr().slice(-2000)}`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  throw new Error(`service not healthy within ${timeoutMs} ms: ${stderr().slice(-2000)}`);
}

/**
 * Which file `node` runs: `source` is bin/luminamind (TypeScript through tsx, what `npm start` runs); `bundle` is
 * dist/service.mjs, the shipped artifact (`npm run build`; what the image runs), for measuring what ships.
 */
export type ServiceEntry = 'bundle' | 'source';
export const SERVICE_ENTRY_FILES: Record<ServiceEntry, string> = { source: 'bin/luminamind', bundle: 'dist/service.mjs' };

/** The script to run for `entry` in the checkout `root`; the bundle must have been built. */
function entryScript(root: string, entry: ServiceEntry): string {
  const script = resolve(root, SERVICE_ENTRY_FILES[entry]);
  if (entry === 'bundle' && !existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` first (entry: 'bundle' runs the built service)`);
  return script;
}

/**
 * Runs `node bin/luminamind serve` as a real process on 127.0.0.1 with exactly the env given (plus HOST/PORT), so
 * a kill is a real kill. `nodeArgs` go before the script (e.g. --max-old-space-size); `root` is the checkout to serve
 * (default here); `entry: 'bundle'` runs `root`'s dist/service.mjs instead of the sources.
 *
 * @example
 *   const svc = await startServiceProcess({ OPENAI_BASE_URL: sim.url, LLM_MODEL: 'sim', AUTH: 'none' });
 *   await svc.kill('SIGKILL'); await svc.restart();
 */
export async function startServiceProcess(
  env: Record<string, string>,
  options: { nodeArgs?: string[]; port?: number; readyTimeoutMs?: number; root?: string; entry?: ServiceEntry } = {},
): Promise<ServiceProcess> {
  const script = entryScript(options.root ?? '.', options.entry ?? 'source');
  const port = options.port ?? (await freeLoopbackPort());
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess;
  let stderr = '';
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let closed = false;

  const spawnOne = async () => {
    stderr = '';
    // `root` serves another checkout (a `load --against` worktree) with its own code, from its own directory.
    child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, 'serve'], {
      env: { ...env, HOST: '127.0.0.1', PORT: String(port) },
      ...(options.root ? { cwd: options.root } : {}),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    reapOnExit(child);
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-8_000)));
    const current = child;
    exit = new Promise((done) =>
      current.once('exit', (code, signal) => done({ code, signal })),
    );
    await waitHealthy(url, current, options.readyTimeoutMs ?? 30_000, () => stderr);
  };

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    if (signal === 'SIGKILL' || signal === 'SIGTERM') await exit;
  };

  try {
    await spawnOne();
  } catch (err) {
    await kill('SIGKILL');
    throw err;
  }
  return {
    url,
    port,
    pid: () => child.pid,
    exited: () => exit,
    kill,
    async restart() {
      await kill('SIGKILL');
      await spawnOne();
    },
    stderrTail: () => stderr.slice(-2_000),
    async close() {
      if (closed) return;
      closed = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      // Unref'd: the grace timer must not keep the harness alive for its 6 s once the service has exited.
      await Promise.race([exit, sleep(6_000, undefined, { ref: false })]);
      await kill('SIGKILL');
    },
  };
}
