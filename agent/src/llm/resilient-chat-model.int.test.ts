import { tool } from '@langchain/core/tools';
import { convertToOpenAITool } from '@langchain/core/utils/function_calling';
import { AIMessage, AIMessageChunk } from '@langchain/core/messages';
import { createAgent } from 'langchain';
import { z } from 'zod';
import { loadConfig } from '../config.js';
import { errorCode } from '../errors.js';
import { createChatModel, UsageRecorder, type BreakerChange, type ChatModelHooks, type LlmCallRecord } from './index.js';
import { startOpenAiStub, type OpenAiStub, type StubReply } from './openai-stub.js';

let primary: OpenAiStub;
let fallback: OpenAiStub;

beforeEach(async () => {
  primary = await startOpenAiStub();
  fallback = await startOpenAiStub(() => ({ content: 'fallback answer' }));
});

afterEach(async () => {
  await Promise.all([primary.close(), fallback.close()]);
});

/** Small delays so retries, timeouts and half-open happen within a test. */
function makeModel(options: { fallback?: boolean; env?: Record<string, string> } = {}, hooks: ChatModelHooks = {}) {
  const config = loadConfig({
    OPENAI_BASE_URL: primary.url,
    OPENAI_API_KEY: 'sk-primary',
    LLM_MODEL: 'primary-model',
    ...(options.fallback ? { LLM_FALLBACK_BASE_URL: fallback.url, LLM_FALLBACK_API_KEY: 'sk-fallback', LLM_FALLBACK_MODEL: 'fallback-model' } : {}),
    LLM_MAX_ATTEMPTS: '3',
    LLM_RETRY_MIN_MS: '10',
    LLM_RETRY_MAX_MS: '40',
    LLM_TIMEOUT_MS: '300',
    LLM_BREAKER_FAILURES: '5',
    LLM_BREAKER_HALF_OPEN_MS: '200',
    LLM_PRICE_INPUT_PER_MTOK: '2',
    LLM_PRICE_OUTPUT_PER_MTOK: '8',
    ...options.env,
  });
  return createChatModel(config, hooks);
}

const failing = (status: number): StubReply => ({ status });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('createChatModel', () => {
  it('explains how to configure a model when none is set', () => {
    const err = rejectionSync(() => createChatModel(loadConfig({})));
    expect(errorCode(err)).toBe('AGT_ERR_CONFIG_INVALID');
    expect(String((err as Error).message)).toMatch(/OPENAI_BASE_URL.*LLM_MODEL/s);
  });

  it('answers through the primary and reports usage and cost', async () => {
    primary.respond = () => ({ content: 'hi', usage: { prompt_tokens: 1000, completion_tokens: 500 } });
    const calls: LlmCallRecord[] = [];
    const model = makeModel({}, { onCall: (c) => calls.push(c) });
    const usage = new UsageRecorder();
    const answer = await model.invoke('hello', { callbacks: [usage] });
    expect(answer.content).toBe('hi');
    expect(primary.requests).toHaveLength(1);
    expect(primary.requests[0]?.model).toBe('primary-model');
    expect(calls).toEqual([
      expect.objectContaining({ provider: 'local', model: 'primary-model', endpoint: 'primary', status: 'success', attempts: 1, inputTokens: 1000, outputTokens: 500, streamed: false }),
    ]);
    expect(calls[0]?.costUsd).toBeCloseTo((1000 * 2 + 500 * 8) / 1e6, 12);
    expect(usage.calls).toEqual(calls);
    expect(usage.totals()).toMatchObject({ requests: 1, succeeded: 1, failed: 0, inputTokens: 1000, outputTokens: 500 });
  });
});

function rejectionSync(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('retries', () => {
  it.each([429, 500, 503])('retries %i and succeeds on the third attempt', async (status) => {
    primary.respond = (_req, n) => (n < 2 ? failing(status) : { content: 'recovered' });
    const calls: LlmCallRecord[] = [];
    const answer = await makeModel({}, { onCall: (c) => calls.push(c) }).invoke('hello');
    expect(answer.content).toBe('recovered');
    expect(primary.requests).toHaveLength(3);
    expect(calls).toEqual([expect.objectContaining({ status: 'success', attempts: 3 })]);
  });

  it.each([429, 500, 503])('stops after maxAttempts on %i and reports the model unavailable', async (status) => {
    primary.respond = () => failing(status);
    const calls: LlmCallRecord[] = [];
    const err = await rejection(makeModel({}, { onCall: (c) => calls.push(c) }).invoke('hello'));
    expect(errorCode(err)).toBe('AGT_ERR_MODEL_UNAVAILABLE');
    expect(primary.requests).toHaveLength(3);
    expect(calls).toEqual([expect.objectContaining({ status: 'error', attempts: 3, inputTokens: 0, costUsd: 0 })]);
  });

  it('retries a hung request after the per-call timeout', async () => {
    primary.respond = (_req, n) => (n === 0 ? { hang: true } : { content: 'second try' });
    const started = Date.now();
    const answer = await makeModel().invoke('hello');
    expect(answer.content).toBe('second try');
    expect(primary.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('gives up after maxAttempts timeouts with status timeout', async () => {
    primary.respond = () => ({ hang: true });
    const calls: LlmCallRecord[] = [];
    const err = await rejection(makeModel({}, { onCall: (c) => calls.push(c) }).invoke('hello'));
    expect(errorCode(err)).toBe('AGT_ERR_MODEL_UNAVAILABLE');
    expect(primary.requests).toHaveLength(3);
    expect(calls).toEqual([expect.objectContaining({ status: 'timeout', attempts: 3 })]);
  });

  it('retries a refused connection', async () => {
    await primary.close();
    const err = await rejection(makeModel().invoke('hello'));
    expect(errorCode(err)).toBe('AGT_ERR_MODEL_UNAVAILABLE');
    expect(String((err as Error).message)).toMatch(/primary primary-model/);
  });

  it('does not retry or fall back on 400: the request itself is wrong, and the original error surfaces', async () => {
    primary.respond = () => failing(400);
    const err = await rejection(makeModel({ fallback: true }).invoke('hello'));
    expect((err as { status?: number }).status).toBe(400);
    expect(primary.requests).toHaveLength(1);
    expect(fallback.requests).toHaveLength(0);
  });

  it('does not retry 401 but lets the fallback answer, since the endpoint (not the request) is at fault', async () => {
    primary.respond = () => failing(401);
    const answer = await makeModel({ fallback: true }).invoke('hello');
    expect(answer.content).toBe('fallback answer');
    expect(primary.requests).toHaveLength(1);
    expect(fallback.requests).toHaveLength(1);
  });

  it('does not count request errors towards the breaker', async () => {
    primary.respond = () => failing(400);
    const model = makeModel();
    for (let i = 0; i < 6; i++) await rejection(model.invoke('hello'));
    expect(primary.requests).toHaveLength(6);
    expect(model.breakerStates().primary?.state).toBe('closed');
  });
});

describe('circuit breaker and fallback', () => {
  it('opens after 5 consecutive failures; the fallback answers; then the primary is not called at all', async () => {
    primary.respond = () => failing(503);
    const changes: BreakerChange[] = [];
    const calls: LlmCallRecord[] = [];
    const model = makeModel({ fallback: true }, { onBreakerChange: (c) => changes.push(c), onCall: (c) => calls.push(c) });

    expect((await model.invoke('one')).content).toBe('fallback answer');
    expect(primary.requests).toHaveLength(3);
    expect(model.breakerStates().primary?.state).toBe('closed');

    expect((await model.invoke('two')).content).toBe('fallback answer');
    expect(primary.requests).toHaveLength(5);
    expect(changes).toEqual([{ endpoint: 'primary', provider: 'local', model: 'primary-model', state: 'open' }]);
    const states = model.breakerStates();
    expect(states.primary).toMatchObject({ state: 'open', model: 'primary-model' });
    expect(states.primary?.retryAfterMs).toBeGreaterThan(0);
    expect(states.fallback).toMatchObject({ state: 'closed', model: 'fallback-model' });

    expect((await model.invoke('three')).content).toBe('fallback answer');
    expect(primary.requests).toHaveLength(5);
    expect(fallback.requests).toHaveLength(3);
    expect(fallback.requests.every((r) => r.model === 'fallback-model')).toBe(true);
    expect(calls.filter((c) => c.endpoint === 'primary').map((c) => [c.status, c.attempts])).toEqual([
      ['error', 3],
      ['error', 2],
      ['circuit_open', 0],
    ]);
  });

  it('half-opens after halfOpenAfterMs; one successful probe to the primary closes it', async () => {
    primary.respond = () => failing(503);
    const changes: string[] = [];
    const model = makeModel({ fallback: true }, { onBreakerChange: (c) => changes.push(`${c.endpoint}:${c.state}`) });
    await model.invoke('one');
    await model.invoke('two');
    expect(model.breakerStates().primary?.state).toBe('open');

    primary.respond = () => ({ content: 'primary is back' });
    await new Promise((r) => setTimeout(r, 250));
    expect(model.breakerStates().primary?.retryAfterMs).toBe(0);
    expect((await model.invoke('probe')).content).toBe('primary is back');
    expect(primary.requests).toHaveLength(6);
    expect(changes).toEqual(['primary:open', 'primary:half-open', 'primary:closed']);
    expect(model.breakerStates().primary?.state).toBe('closed');

    expect((await model.invoke('after')).content).toBe('primary is back');
    expect(fallback.requests).toHaveLength(2);
  });

  it('a failed probe opens the breaker again without retrying, and the fallback answers', async () => {
    primary.respond = () => failing(503);
    const model = makeModel({ fallback: true });
    await model.invoke('one');
    await model.invoke('two');
    await new Promise((r) => setTimeout(r, 250));
    expect((await model.invoke('probe')).content).toBe('fallback answer');
    expect(primary.requests).toHaveLength(6);
    expect(model.breakerStates().primary?.state).toBe('open');
  });

  it('reports AGT_ERR_MODEL_UNAVAILABLE naming both endpoints when both fail', async () => {
    primary.respond = () => failing(503);
    fallback.respond = () => failing(500);
    const calls: LlmCallRecord[] = [];
    const err = await rejection(makeModel({ fallback: true }, { onCall: (c) => calls.push(c) }).invoke('hello'));
    expect(errorCode(err)).toBe('AGT_ERR_MODEL_UNAVAILABLE');
    expect((err as { statusCode?: number }).statusCode).toBe(503);
    expect(String((err as Error).message)).toMatch(/primary primary-model at 127\.0\.0\.1:\d+: .*; fallback fallback-model at 127\.0\.0\.1:\d+: /);
    expect(String((err as Error).message)).not.toContain('sk-');
    expect((err as { endpoints?: string[] }).endpoints).toEqual([new URL(primary.url).host, new URL(fallback.url).host]);
    expect((err as Error).cause).toBeDefined();
    expect(primary.requests).toHaveLength(3);
    expect(fallback.requests).toHaveLength(3);
    expect(calls.map((c) => `${c.endpoint}:${c.status}`)).toEqual(['primary:error', 'fallback:error']);
  });

  it('reports AGT_ERR_MODEL_REJECTED with the endpoint\'s answer when it refuses the call with a 4xx', async () => {
    primary.respond = () => failing(404);
    const err = await rejection(makeModel().invoke('hello'));
    expect(errorCode(err)).toBe('AGT_ERR_MODEL_REJECTED');
    expect((err as { statusCode?: number }).statusCode).toBe(502);
    expect((err as { upstream?: { status: number } }).upstream?.status).toBe(404);
    expect(String((err as Error).message)).toContain(`primary primary-model at ${new URL(primary.url).host}`);
  });

  it('reports AGT_ERR_CIRCUIT_OPEN when there is no fallback and the breaker is open', async () => {
    primary.respond = () => failing(503);
    const model = makeModel();
    await rejection(model.invoke('one'));
    await rejection(model.invoke('two'));
    const err = await rejection(model.invoke('three'));
    expect(errorCode(err)).toBe('AGT_ERR_CIRCUIT_OPEN');
    expect(String((err as Error).message)).toMatch(/primary-model; retry after \d+ ms/);
    expect(primary.requests).toHaveLength(5);
  });

  it('does not fall back when the caller aborts', async () => {
    primary.respond = () => ({ hang: true });
    const calls: LlmCallRecord[] = [];
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const err = await rejection(makeModel({ fallback: true }, { onCall: (c) => calls.push(c) }).invoke('hello', { signal: controller.signal }));
    expect(err).toBeInstanceOf(Error);
    expect(errorCode(err)).not.toBe('AGT_ERR_MODEL_UNAVAILABLE');
    expect(primary.requests).toHaveLength(1);
    expect(fallback.requests).toHaveLength(0);
    expect(calls).toEqual([expect.objectContaining({ endpoint: 'primary', status: 'cancelled' })]);
  });

  it('sums a run that fell back in the UsageRecorder', async () => {
    primary.respond = () => failing(503);
    fallback.respond = () => ({ content: 'fb', usage: { prompt_tokens: 100, completion_tokens: 50 } });
    const usage = new UsageRecorder();
    await makeModel({ fallback: true }).invoke('hello', { callbacks: [usage] });
    expect(usage.totals()).toMatchObject({ requests: 2, succeeded: 1, failed: 1, fallbackAnswers: 1, inputTokens: 100, outputTokens: 50 });
    expect(usage.totals().costUsd).toBeCloseTo((100 * 2 + 50 * 8) / 1e6, 12);
  });
});

const weather = tool(async ({ city }: { city: string }) => `Sunny in ${city}`, {
  name: 'get_weather',
  description: 'Current weather for a city',
  schema: z.object({ city: z.string() }),
});

describe('tools', () => {
  it('binds tools so the model returns tool_calls, and the fallback gets the same tools', async () => {
    const toolCall: StubReply = { toolCalls: [{ name: 'get_weather', args: { city: 'Paris' } }] };
    primary.respond = () => toolCall;
    fallback.respond = () => toolCall;
    const model = makeModel({ fallback: true });
    const bound = model.bindTools([weather], { tool_choice: 'auto' });

    const viaPrimary = await bound.invoke('weather in Paris?');
    expect(AIMessage.isInstance(viaPrimary) || AIMessageChunk.isInstance(viaPrimary)).toBe(true);
    expect(viaPrimary.tool_calls).toEqual([expect.objectContaining({ name: 'get_weather', args: { city: 'Paris' } })]);
    const sent = primary.requests[0]?.body as { tools?: Array<{ function: { name: string } }>; tool_choice?: unknown };
    expect(sent.tools?.map((t) => t.function.name)).toEqual(['get_weather']);
    expect(sent.tool_choice).toBe('auto');

    primary.respond = () => failing(503);
    const viaFallback = await bound.invoke('weather in Paris?');
    expect(viaFallback.tool_calls?.[0]?.name).toBe('get_weather');
    const fallbackSent = fallback.requests[0]?.body as { tools?: Array<{ function: { name: string } }> };
    expect(fallbackSent.tools?.map((t) => t.function.name)).toEqual(['get_weather']);
  });

  it('sends a tool as ChatOpenAI would, converting its schema once for every bind of it (the twin: a definition given as JSON passes through)', async () => {
    primary.respond = () => ({ content: 'ok' });
    const model = makeModel();
    const first = model.bindTools([weather]) as unknown as { config: { tools: unknown[] } };
    const second = model.bindTools([weather]) as unknown as { config: { tools: unknown[] } };
    expect(first.config.tools[0]).toEqual(convertToOpenAITool(weather));
    expect(second.config.tools[0]).toBe(first.config.tools[0]);
    await (second as unknown as { invoke: (m: string) => Promise<unknown> }).invoke('weather?');
    expect(primary.requests[0]?.body.tools).toEqual([convertToOpenAITool(weather)]);
    const asJson = { type: 'function', function: { name: 'get_time', description: 'Time now', parameters: { type: 'object', properties: {} } } };
    expect((model.bindTools([asJson]) as unknown as { config: { tools: unknown[] } }).config.tools[0]).toBe(asJson);
  });

  it('supports withStructuredOutput through a forced tool call, with the fallback too', async () => {
    primary.respond = () => failing(503);
    fallback.respond = () => ({ toolCalls: [{ name: 'verdict', args: { pass: true, reason: 'grounded' } }] });
    const judge = makeModel({ fallback: true }).withStructuredOutput(z.object({ pass: z.boolean(), reason: z.string() }), { name: 'verdict' });
    await expect(judge.invoke('Is the answer grounded?')).resolves.toEqual({ pass: true, reason: 'grounded' });
    expect(fallback.requests[0]?.body.tool_choice).toEqual({ type: 'function', function: { name: 'verdict' } });
  });

  it('drives a langchain createAgent loop, streaming included', async () => {
    const script = (req: { body: Record<string, unknown> }): StubReply => {
      const messages = req.body.messages as Array<{ role: string }>;
      return messages.some((m) => m.role === 'tool') ? { content: 'It is sunny in Paris.' } : { toolCalls: [{ name: 'get_weather', args: { city: 'Paris' } }] };
    };
    primary.respond = script;
    const usage = new UsageRecorder();
    const agent = createAgent({ model: makeModel(), tools: [weather] });
    const result = await agent.invoke({ messages: [{ role: 'user', content: 'Weather in Paris?' }] }, { callbacks: [usage] });
    expect(result.messages.at(-1)?.content).toBe('It is sunny in Paris.');
    expect(result.messages.some((m) => m.getType() === 'tool' && String(m.content).includes('Sunny in Paris'))).toBe(true);
    expect(usage.totals()).toMatchObject({ requests: 2, succeeded: 2 });

    const streamed: string[] = [];
    for await (const [chunk] of await agent.stream({ messages: [{ role: 'user', content: 'Weather in Paris?' }] }, { streamMode: 'messages' })) {
      if (AIMessageChunk.isInstance(chunk) && typeof chunk.content === 'string') streamed.push(chunk.content);
    }
    expect(streamed.join('')).toContain('It is sunny in Paris.');
    expect(primary.requests.slice(2).every((r) => r.stream)).toBe(true);
  });
});

describe('streaming', () => {
  it('streams chunks and records usage from the final chunk', async () => {
    primary.respond = () => ({ content: 'one two three', usage: { prompt_tokens: 7, completion_tokens: 3 } });
    const usage = new UsageRecorder();
    const chunks: string[] = [];
    for await (const chunk of await makeModel().stream('count', { callbacks: [usage] })) chunks.push(String(chunk.content));
    expect(chunks.filter(Boolean)).toEqual(['one ', 'two ', 'three']);
    expect(primary.requests[0]?.stream).toBe(true);
    expect(usage.calls).toEqual([expect.objectContaining({ status: 'success', streamed: true, inputTokens: 7, outputTokens: 3 })]);
  });

  it('retries and falls back before the first chunk', async () => {
    primary.respond = () => failing(503);
    fallback.respond = () => ({ content: 'from the fallback' });
    let text = '';
    for await (const chunk of await makeModel({ fallback: true }).stream('hello')) text += String(chunk.content);
    expect(text).toBe('from the fallback');
    expect(primary.requests).toHaveLength(3);
  });

  it('does not retry or fall back once part of the answer was streamed, but counts it against the breaker', async () => {
    primary.respond = () => ({ content: 'a b c d e f', truncateAfter: 3 });
    const calls: LlmCallRecord[] = [];
    const model = makeModel({ fallback: true }, { onCall: (c) => calls.push(c) });
    const received: string[] = [];
    const err = await rejection(
      (async () => {
        for await (const chunk of await model.stream('hello')) received.push(String(chunk.content));
      })(),
    );
    expect(errorCode(err)).toBe('AGT_ERR_MODEL_UNAVAILABLE');
    expect(received.join('')).toBe('a b ');
    expect(primary.requests).toHaveLength(1);
    expect(fallback.requests).toHaveLength(0);
    expect(calls).toEqual([expect.objectContaining({ endpoint: 'primary', status: 'error', attempts: 1 })]);
    for (let i = 0; i < 4; i++) await rejection((async () => { for await (const _ of await model.stream('x')) void _; })());
    expect(model.breakerStates().primary?.state).toBe('open');
  });

  it('stops the upstream request when the consumer stops reading', async () => {
    primary.respond = () => ({ content: 'w '.repeat(200) });
    const calls: LlmCallRecord[] = [];
    const stream = await makeModel({ fallback: true }, { onCall: (c) => calls.push(c) }).stream('hello');
    for await (const chunk of stream) if (String(chunk.content).length > 0) break;
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]?.status).toBe('cancelled');
    expect(fallback.requests).toHaveLength(0);
  });
});
