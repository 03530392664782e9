import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../evals/sim/index.js';
import { type RedisServer, startRedis } from '../load/redis-server.js';
import { LOAD_CASSETTES, SCENARIOS } from '../load/scenarios.js';
import { startServiceProcess } from '../load/service-process.js';
import { bundleService } from '../load/service-bundle.js';

// The production build is what ships: the bundle is built into a temp folder with no node_modules anywhere above it
// (so no import can fall back to an installed package) and run with plain node, no tsx: it must answer /health,
// document the package's version, serve the Swagger UI's assets, and run a real chat (LangGraph, the tools, ioredis)
// against the model simulator and a real Redis.

const ROOT = join(import.meta.dirname, '..');
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Runs node with `args`, its stdout a pipe whose reading end is closed at once; resolves with exit code and stderr. */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('close', (code) => done({ code, stderr }));
  });
}

/** Every folder from `dir` up to `/` that holds a node_modules, where node's resolution would look. */
function nodeModulesAbove(dir: string): string[] {
  const found: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules'))) found.push(d);
    if (dirname(d) === d) return found;
  }
}

describe('the service bundle (npm run build)', () => {
  let root: string;
  let workspace: string;
  let sim: Simulator;
  let redis: RedisServer;
  let svc: Awaited<ReturnType<typeof startServiceProcess>>;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lm-bundle-'));
    workspace = await mkdtemp(join(tmpdir(), 'lm-bundle-ws-'));
    await bundleService({ outdir: join(root, 'dist') });
    [sim, redis] = await Promise.all([startSimulator({ cassettes: LOAD_CASSETTES }), startRedis()]);
    svc = await startServiceProcess(
      { OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'bundle', LLM_MODEL: 'sim', AUTH: 'none', LOG_LEVEL: 'warn', WORKSPACE_ROOT: workspace, REDIS_URL: redis.url },
      { root, entry: 'bundle', readyTimeoutMs: 60_000 },
    );
  }, 180_000);

  afterAll(async () => {
    await svc?.close();
    await Promise.all([sim?.close(), redis?.close()]);
    for (const dir of [root, workspace]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is built where no node_modules can lend it a package', () => {
    expect(nodeModulesAbove(join(root, 'dist'))).toEqual([]);
  });

  it('answers /health, run by plain node from the bundle', async () => {
    const res = await fetch(`${svc.url}/health`);
    expect(res.status).toBe(200);
  });

  it("documents package.json's version and serves the Swagger UI from its copied assets", async () => {
    const doc = (await (await fetch(`${svc.url}/docs/json`)).json()) as { info: { version: string } };
    expect(doc.info.version).toBe(PACKAGE_VERSION);
    const page = await fetch(`${svc.url}/docs/static/index.html`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-ui');
    const logo = await fetch(`${svc.url}/docs/static/logo.svg`);
    expect(logo.status).toBe(200);
  });

  it('runs a one-tool chat through the graph, the tools and Redis', async () => {
    const res = await fetch(`${svc.url}/v1/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ thread_id: 'bundle-1', message: SCENARIOS['one-tool'].message }),
    });
    const body = (await res.json()) as { status: string; answer: string; tool_calls: { name: string; error?: unknown }[] };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.status).toBe('completed');
    expect(body.tool_calls.length).toBeGreaterThan(0);
    expect(body.answer.length).toBeGreaterThan(0);
    const thread = await fetch(`${svc.url}/v1/threads/bundle-1`);
    expect(thread.status).toBe(200);
  }, 60_000);

  it('exits 0 when its reader closes the pipe early (`tool --help | head`)', async () => {
    const run = await runWithClosedStdout([join(root, 'dist/service.mjs'), 'tool', '--help']);
    expect(run.stderr).not.toMatch(/EPIPE/);
    expect(run.code).toBe(0);
  }, 60_000);

  it('can fail: a node script that writes to the closed pipe without the handler crashes on EPIPE', async () => {
    const run = await runWithClosedStdout(['-e', "setTimeout(() => process.stdout.write('x'.repeat(100)), 200)"]);
    expect(run.stderr).toMatch(/EPIPE/);
    expect(run.code).not.toBe(0);
  }, 60_000);
});

describe('the build refuses a service that reaches a harness package', () => {
  it('can fail: bundling the full CLI (which imports the harness) names the dev-only packages it reaches', async () => {
    const outdir = await mkdtemp(join(tmpdir(), 'lm-bundle-cli-'));
    try {
      const failure = await bundleService({ outdir, entry: 'bin/cli.ts' }).then(
        () => undefined,
        (err: unknown) => err as { message: string; errors?: { text: string }[] },
      );
      expect(failure, 'the build succeeded').toBeDefined();
      const texts = (failure?.errors ?? []).map((e) => e.text).join('\n');
      for (const name of ['promptfoo', 'yaml', 'selfsigned']) expect(texts).toContain(`"${name}", which is not in package.json "dependencies"`);
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  }, 120_000);
});
