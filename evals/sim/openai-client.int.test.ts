import OpenAI, { NotFoundError } from 'openai';
import type { CassetteInput } from './cassette.js';
import { type Simulator, startSimulator } from './index.js';

const SYSTEM = 'You are LuminaMind, a careful assistant.\nMore wording that may change.';

const weather: CassetteInput = {
  id: 'weather-paris',
  threads: [
    {
      agent: 'You are LuminaMind, a careful assistant.',
      user: 'What is the weather in Paris?',
      turns: [
        { content: 'Let me check.', tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris', units: 'metric' } }] },
        { content: 'It is 18 °C and sunny in Paris.' },
      ],
    },
    { agent: '*', user: 'Say hello', turns: [{ content: 'Hello there, friend of the simulator!' }] },
  ],
};

describe('simulator with the openai client', () => {
  let sim: Simulator;
  let client: OpenAI;
  beforeAll(async () => {
    sim = await startSimulator({ cassettes: [weather] });
    client = new OpenAI({ baseURL: sim.url, apiKey: 'sim', maxRetries: 0 });
  });
  afterAll(() => sim.close());

  it('listens on 127.0.0.1 and lists models', async () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['sim', 'cassette:weather-paris']);
    const health = await fetch(sim.url.replace(/\/v1$/, '/health'));
    expect(await health.json()).toMatchObject({ status: 'ok' });
  });

  it('answers a plain completion with usage and finish_reason stop', async () => {
    const res = await client.chat.completions.create({ model: 'gpt-x', messages: [{ role: 'user', content: 'Say hello' }] });
    expect(res.choices[0]!.message.content).toBe('Hello there, friend of the simulator!');
    expect(res.choices[0]!.finish_reason).toBe('stop');
    expect(res.model).toBe('gpt-x');
    expect(res.usage).toEqual({ prompt_tokens: 4 + 3, completion_tokens: 10, total_tokens: 17 });
  });

  it('answers with tool_calls, then the follow-up turn', async () => {
    const first = await client.chat.completions.create({
      model: 'sim',
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: 'What is the weather in Paris?' },
      ],
    });
    const msg = first.choices[0]!.message;
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    expect(msg.tool_calls).toHaveLength(1);
    const call = msg.tool_calls![0]!;
    expect(call.type).toBe('function');
    if (call.type !== 'function') throw new Error('unreachable');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Paris', units: 'metric' });
    expect(call.id).toMatch(/^call_/);

    const second = await client.chat.completions.create({
      model: 'sim',
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: 'What is the weather in Paris?' },
        { role: 'assistant', content: msg.content, tool_calls: msg.tool_calls },
        { role: 'tool', tool_call_id: call.id, content: '{"tempC":18,"at":"2025-01-01T10:00:00Z"}' },
      ],
    });
    expect(second.choices[0]!.message.content).toBe('It is 18 °C and sunny in Paris.');
    expect(second.id).not.toBe(first.id);
  });

  it('streams content and tool-call deltas in the real chunk format, with a usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'sim',
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: 'What is the weather in Paris?' },
      ],
    });
    let content = '';
    const args: string[] = [];
    let name = '';
    let id = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let chunks = 0;
    const ids = new Set<string>();
    for await (const chunk of stream) {
      chunks += 1;
      ids.add(chunk.id);
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (!choice) continue;
      content += choice.delta.content ?? '';
      for (const tc of choice.delta.tool_calls ?? []) {
        expect(tc.index).toBe(0);
        if (tc.id) id = tc.id;
        if (tc.function?.name) name = tc.function.name;
        if (tc.function?.arguments) args.push(tc.function.arguments);
      }
      finish = choice.finish_reason ?? finish;
    }
    expect(content).toBe('Let me check.');
    expect(name).toBe('get_weather');
    expect(id).toMatch(/^call_/);
    expect(args.length).toBeGreaterThan(1);
    expect(JSON.parse(args.join(''))).toEqual({ city: 'Paris', units: 'metric' });
    expect(finish).toBe('tool_calls');
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
    expect(chunks).toBeGreaterThan(4);
    expect(ids.size).toBe(1);
  });

  it('gives every completion a unique id', async () => {
    const ids = await Promise.all(
      Array.from({ length: 20 }, async () => (await client.chat.completions.create({ model: 'sim', messages: [{ role: 'user', content: 'Say hello' }] })).id),
    );
    expect(new Set(ids).size).toBe(20);
  });

  it('fails closed on a miss with a NotFoundError naming the nearest cassette and what differed', async () => {
    const err = await client.chat.completions
      .create({ model: 'sim', messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: 'What is the weather in Lyon?' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    const e = err as NotFoundError;
    expect(e.status).toBe(404);
    expect(e.code).toBe('EVL_ERR_SIM_NO_CASSETTE');
    expect(e.message).toContain("Nearest: cassette 'weather-paris' thread 0");
    expect(e.message).toContain('opening user message differs');
    expect(e.message).toContain('What is the weather in Lyon?');
    expect(sim.stats().misses).toBeGreaterThanOrEqual(1);
  });

  it('says when the agent asks for more turns than the thread has', async () => {
    const err = (await client.chat.completions
      .create({
        model: 'sim',
        messages: [
          { role: 'user', content: 'Say hello' },
          { role: 'assistant', content: 'Hello there, friend of the simulator!' },
          { role: 'user', content: 'And again?' },
        ],
      })
      .catch((e: unknown) => e)) as NotFoundError;
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toContain("cassette 'weather-paris' thread 1");
  });
});
