import { type AIMessageChunk, HumanMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';
import { type Simulator, startSimulator } from './index.js';

const SYSTEM = 'You are the web-researcher subagent of LuminaMind.\nSearch, then answer.';

describe('simulator with ChatOpenAI (@langchain/openai)', () => {
  let sim: Simulator;
  let model: ChatOpenAI;
  beforeAll(async () => {
    sim = await startSimulator({
      cassettes: [
        { id: 'greet', user: 'Hello', turns: [{ content: 'Hi! How can I help you today?' }] },
        {
          id: 'weather',
          agent: 'web-researcher',
          user: 'Weather in Oslo?',
          turns: [{ tool_calls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] }, { content: 'Oslo: 3 °C, light snow (source: get_weather).' }],
        },
      ],
    });
    model = new ChatOpenAI({ model: 'sim-model', apiKey: 'sim', configuration: { baseURL: sim.url }, maxRetries: 0, temperature: 0 });
  });
  afterAll(() => sim.close());

  it('invokes, with token usage', async () => {
    const res = await model.invoke([new HumanMessage('Hello')]);
    expect(res.content).toBe('Hi! How can I help you today?');
    expect(res.usage_metadata?.total_tokens).toBeGreaterThan(0);
    expect(res.id).toMatch(/^chatcmpl-/);
  });

  it('streams', async () => {
    let text = '';
    let chunks = 0;
    let usage = 0;
    for await (const chunk of await model.stream([new HumanMessage('Hello')])) {
      chunks += 1;
      text += typeof chunk.content === 'string' ? chunk.content : '';
      usage = chunk.usage_metadata?.total_tokens ?? usage;
    }
    expect(text).toBe('Hi! How can I help you today?');
    expect(chunks).toBeGreaterThan(2);
    expect(usage).toBeGreaterThan(0);
  });

  it('round-trips a tool call with bindTools, invoking and streaming', async () => {
    const getWeather = tool(async ({ city }) => JSON.stringify({ city, tempC: 3, fetchedAt: new Date().toISOString() }), {
      name: 'get_weather',
      description: 'Current weather for a city',
      schema: z.object({ city: z.string() }),
    });
    const bound = model.bindTools([getWeather]);
    const history = [new SystemMessage(SYSTEM), new HumanMessage('Weather in Oslo?')];
    const first = await bound.invoke(history);
    expect(first.tool_calls).toEqual([expect.objectContaining({ name: 'get_weather', args: { city: 'Oslo' } })]);
    const result = await getWeather.invoke(first.tool_calls![0]!);
    expect(result).toBeInstanceOf(ToolMessage);

    let streamed: AIMessageChunk | undefined;
    for await (const chunk of await bound.stream(history)) streamed = streamed ? streamed.concat(chunk) : chunk;
    expect(streamed?.tool_calls).toEqual([expect.objectContaining({ name: 'get_weather', args: { city: 'Oslo' } })]);

    const final = await bound.invoke([...history, first, result]);
    expect(final.content).toBe('Oslo: 3 °C, light snow (source: get_weather).');
    expect(final.id).not.toBe(first.id);
  });
});
