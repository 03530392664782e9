import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { CANARY, startTestService, TEST_KEY, type TestService } from './service.test-support.js';

/** A loopback port that was free a moment ago and has nobody listening: a model endpoint that is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Listening {
  svc: TestService;
  url: string;
}

async function listening(env: Record<string, string> = {}): Promise<Listening> {
  const svc = await startTestService(env);
  const url = await svc.app.listen({ host: '127.0.0.1', port: 0 });
  return { svc, url };
}

async function chat(base: string, message: string, accept = 'application/json'): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}/v1/chat`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json', accept },
    body: JSON.stringify({ message }),
  });
  return { status: res.status, text: await res.text() };
}

describe('model errors over real HTTP', () => {
  let down: Listening;
  let port: number;
  let sim: Listening;
  beforeAll(async () => {
    port = await closedPort();
    // Retries stay on (3 tries, no backoff wait in tests): the mapping, not the retry policy, is under test.
    down = await listening({ OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`, LLM_MAX_ATTEMPTS: '3' });
    sim = await listening();
  });
  afterAll(async () => {
    await down?.svc.close();
    await sim?.svc.close();
  });

  it('model endpoint down: 503 AGT_ERR_MODEL_UNAVAILABLE naming the endpoint by host, never its key', async () => {
    const res = await chat(down.url, 'Say hello');
    expect(res.status).toBe(503);
    const body = JSON.parse(res.text) as { error: { code: string; message: string; endpoints: string[] } };
    expect(body.error.code).toBe('AGT_ERR_MODEL_UNAVAILABLE');
    expect(body.error.endpoints).toEqual([`127.0.0.1:${port}`]);
    expect(body.error.message).toContain(`127.0.0.1:${port}`);
    expect(res.text).not.toContain(CANARY);
    expect(res.text).not.toContain('/v1/chat/completions');
  });

  it('simulator miss: 502 AGT_ERR_MODEL_REJECTED carrying the simulator\'s code and the nearest cassette', async () => {
    const res = await chat(sim.url, 'Say hullo');
    expect(res.status).toBe(502);
    const body = JSON.parse(res.text) as { error: { code: string; upstream: { status: number; code: string; message: string; nearest?: { cassette: string } } } };
    expect(body.error.code).toBe('AGT_ERR_MODEL_REJECTED');
    expect(body.error.upstream.status).toBe(404);
    expect(body.error.upstream.code).toBe('EVL_ERR_SIM_NO_CASSETTE');
    expect(body.error.upstream.nearest?.cassette).toBe('svc:hello');
    expect(res.text).not.toContain(CANARY);
  });

  it('the same over SSE: the error event carries the code and the upstream answer', async () => {
    const res = await chat(sim.url, 'Say hullo', 'text/event-stream');
    const errorEvent = /event: error\ndata: (.*)\n/.exec(res.text);
    expect(errorEvent).not.toBeNull();
    const data = JSON.parse(errorEvent![1]!) as { status: number; error: { code: string; upstream: { code: string } } };
    expect(data.status).toBe(502);
    expect(data.error.upstream.code).toBe('EVL_ERR_SIM_NO_CASSETTE');
  });
});
