import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../evals/sim/index.js';
import { loadConfig } from './config.js';
import { startService } from './main.js';
import { createLogCapture } from './observability/logging.js';
import { SERVICE_CASSETTES } from './routes/service.test-support.js';

describe('startService', () => {
  let sim: Simulator;
  let root: string;
  beforeAll(async () => {
    sim = await startSimulator({ cassettes: SERVICE_CASSETTES });
    root = await mkdtemp(join(tmpdir(), 'lm-main-'));
  });
  afterAll(async () => {
    await sim?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('listens on HOST:PORT and METRICS_PORT, and drains an in-flight run on close', async () => {
    const config = loadConfig({ OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'k', LLM_MODEL: 'm', WORKSPACE_ROOT: root, AUTH: 'none', HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0' });
    const capture = createLogCapture();
    const running = await startService(config, { logStream: capture.stream, shutdownDeadlineMs: 5_000 });
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${running.url}/health`)).status).toBe(200);
    const metrics = await fetch(`${running.metricsUrl}/metrics`);
    expect(await metrics.text()).toContain('luminamind_requests_total');

    sim.setFaults({ latencyMs: 400 });
    const inflight = fetch(`${running.url}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Say hello' }) });
    await new Promise((r) => setTimeout(r, 150));
    await running.close();
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { answer: string }).answer).toBe('Hello! How can I help you today?');
    expect(capture.lines.some((l) => l.includes('shutdown_complete'))).toBe(true);
    await expect(fetch(`${running.url}/health`)).rejects.toThrow();
    sim.setFaults({});
  });

  it('aborts runs still in flight when the deadline passes', async () => {
    const config = loadConfig({ OPENAI_BASE_URL: sim.url, OPENAI_API_KEY: 'k', LLM_MODEL: 'm', LLM_MAX_ATTEMPTS: '1', WORKSPACE_ROOT: root, AUTH: 'none', HOST: '127.0.0.1', PORT: '0' });
    const running = await startService(config, { logStream: createLogCapture().stream, shutdownDeadlineMs: 200 });
    sim.setFaults({ latencyMs: 3_000 });
    const inflight = fetch(`${running.url}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Say hello' }) });
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await running.close();
    expect(Date.now() - started).toBeLessThan(2_500);
    const res = await inflight;
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('AGT_ERR_SHUTTING_DOWN');
    sim.setFaults({});
  });
});
