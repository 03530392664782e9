import OpenAI, { APIConnectionTimeoutError, InternalServerError } from 'openai';
import { seededRandom } from './faults.js';
import { type Simulator, startSimulator } from './index.js';

const script = { id: 'hello', user: 'hi', turns: [{ content: 'Hello! This answer is long enough to be streamed in several pieces, one word pair at a time.' }] };
const ask = { model: 'sim', messages: [{ role: 'user' as const, content: 'hi' }] };

describe('simulator faults', () => {
  let sim: Simulator;
  let client: OpenAI;
  beforeAll(async () => {
    sim = await startSimulator({ cassettes: [script] });
    client = new OpenAI({ baseURL: sim.url, apiKey: 'sim', maxRetries: 0 });
  });
  afterEach(() => {
    sim.setFaults({});
    sim.resetStats();
  });
  afterAll(() => sim.close());

  it('errorRate 1 with status 503 fails every request with the documented code', async () => {
    sim.setFaults({ errorRate: 1, errorStatus: 503 });
    const errors = await Promise.all([1, 2, 3].map(() => client.chat.completions.create(ask).catch((e: unknown) => e)));
    for (const e of errors) {
      expect(e).toBeInstanceOf(InternalServerError);
      expect((e as InternalServerError).status).toBe(503);
      expect((e as InternalServerError).code).toBe('EVL_ERR_SIM_FAULT_INJECTED');
    }
    expect(sim.stats()).toMatchObject({ requests: 3, served: 0, faults: { errors: 3 } });
  });

  it('errorRate is seeded: the same seed fails the same requests', async () => {
    const run = async (): Promise<boolean[]> => {
      sim.setFaults({ errorRate: 0.5, errorStatus: 429, seed: 42 });
      const out: boolean[] = [];
      for (let i = 0; i < 12; i += 1) out.push(await client.chat.completions.create(ask).then(() => true, () => false));
      return out;
    };
    const a = await run();
    expect(await run()).toEqual(a);
    expect(a).toContain(true);
    expect(a).toContain(false);
    const rng = seededRandom(42);
    expect(a).toEqual(Array.from({ length: 12 }, () => !(rng() < 0.5)));
  });

  it('failNext N fails exactly the next N requests, with a 429 and retry-after when asked', async () => {
    sim.setFaults({ failNext: 2, errorStatus: 429, retryAfterMs: 1500 });
    const raw = await fetch(`${sim.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ask) });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after-ms')).toBe('1500');
    expect(await raw.json()).toMatchObject({ error: { code: 'EVL_ERR_SIM_FAULT_INJECTED', type: 'rate_limit_error' } });
    await expect(client.chat.completions.create(ask)).rejects.toMatchObject({ status: 429 });
    await expect(client.chat.completions.create(ask)).resolves.toMatchObject({ choices: [{ finish_reason: 'stop' }] });
    expect(sim.stats()).toMatchObject({ requests: 3, served: 1, faults: { failNext: 2, errors: 2 } });
  });

  it('adds latency, and paces answers by ttft and tokens per second', async () => {
    sim.setFaults({ latencyMs: 150 });
    let t = Date.now();
    await client.chat.completions.create(ask);
    expect(Date.now() - t).toBeGreaterThanOrEqual(140);

    sim.setFaults({ ttftMs: 100, tokensPerSecond: 200 });
    t = Date.now();
    const stream = await client.chat.completions.create({ ...ask, stream: true });
    let first = 0;
    for await (const chunk of stream) if (!first && chunk.choices[0]?.delta.content) first = Date.now() - t;
    const total = Date.now() - t;
    expect(first).toBeGreaterThanOrEqual(90);
    expect(total).toBeGreaterThanOrEqual(first + 50);
    expect(sim.stats().faults.delayed).toBe(1);
  });

  it('hang never answers: the client timeout fires; lifting the hang serves held requests', async () => {
    sim.setFaults({ hang: true });
    const quick = new OpenAI({ baseURL: sim.url, apiKey: 'sim', maxRetries: 0, timeout: 300 });
    await expect(quick.chat.completions.create(ask)).rejects.toBeInstanceOf(APIConnectionTimeoutError);
    const held = client.chat.completions.create(ask);
    await vi.waitFor(() => expect(sim.stats().faults.hangs).toBe(2));
    sim.setFaults({});
    await expect(held).resolves.toMatchObject({ choices: [{ message: { role: 'assistant' } }] });
  });

  it('cutStream truncates the SSE stream mid-way and the client sees an error', async () => {
    sim.setFaults({ cutStream: true });
    const pieces: string[] = [];
    const consume = async () => {
      const stream = await client.chat.completions.create({ ...ask, stream: true });
      for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta.content ?? '');
    };
    await expect(consume()).rejects.toThrow();
    expect(pieces.length).toBeGreaterThan(0);
    expect(pieces.join('')).not.toBe(script.turns[0]!.content);
    await expect(client.chat.completions.create(ask)).rejects.toThrow(/terminated|aborted|socket/i);
    expect(sim.stats()).toMatchObject({ faults: { cutStreams: 2 }, served: 0 });
  });

  it('never faults /health, /v1/models or the admin API', async () => {
    sim.setFaults({ errorRate: 1 });
    await expect(client.models.list()).resolves.toBeDefined();
    expect((await fetch(sim.url.replace(/\/v1$/, '/health'))).status).toBe(200);
  });

  it('rejects invalid faults', () => {
    expect(() => sim.setFaults({ errorRate: 2 })).toThrow();
  });
});
