import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startSimulator, type Simulator } from '../../evals/sim/index.js';
import { SERVICE_CASSETTES } from './routes/service.test-support.js';
import { type RedisServer, startRedis } from '../../load/redis-server.js';

// A real restart: `luminamind serve` as an OS process, killed and started again on the same Redis.

const BIN = join(import.meta.dirname, '../../bin/luminamind');

interface Served {
  url: string;
  child: ChildProcess;
}

function serve(env: Record<string, string>): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  // The child's stderr (its startup notices) is kept for a failure message instead of printed into the test output.
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not log service_listening within 60 s; stderr:\n${stderr}`)), 60_000);
    child.on('exit', (code) => reject(new Error(`serve exited early with ${code}; stderr:\n${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'service_listening' && entry.url) {
        clearTimeout(timer);
        resolve({ url: entry.url, child });
      }
    });
  });
}

function stop({ child }: Served): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function chat(url: string, message: string): Promise<{ status: number; body: { answer?: string; messages?: unknown[] } }> {
  const res = await fetch(`${url}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ thread_id: 'restart-1', message }) });
  return { status: res.status, body: (await res.json()) as { answer?: string } };
}

describe('a conversation across a service restart', { timeout: 150_000 }, () => {
  let redis: RedisServer;
  let sim: Simulator;
  let root: string;

  beforeAll(async () => {
    redis = await startRedis();
    sim = await startSimulator({ cassettes: SERVICE_CASSETTES });
    root = await mkdtemp(join(tmpdir(), 'lm-restart-'));
  });
  afterAll(async () => {
    await sim?.close();
    await redis?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('continues in a new process with the same Redis, history intact', async () => {
    const env = {
      OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'sim', LLM_MODEL: 'sim-model', REDIS_URL: redis.url,
      WORKSPACE_ROOT: root, HOST: '127.0.0.1', PORT: '0', AUTH: 'none', LOG_LEVEL: 'info',
    };
    const first = await serve(env);
    const turn1 = await chat(first.url, 'Say hello');
    expect(turn1).toMatchObject({ status: 200, body: { answer: 'Hello! How can I help you today?' } });
    await stop(first);
    expect(first.child.exitCode ?? first.child.signalCode).not.toBeNull();

    const second = await serve(env);
    try {
      const turn2 = await chat(second.url, 'And again?');
      // The simulator answers this turn only if the request carries the first turn: the thread came back from Redis.
      expect(turn2).toMatchObject({ status: 200, body: { answer: 'Hello again, still here to help.' } });
      const history = (await (await fetch(`${second.url}/v1/threads/restart-1`)).json()) as { messages: unknown[] };
      expect(history.messages).toHaveLength(4);
    } finally {
      await stop(second);
    }
  });
});
