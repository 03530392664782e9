import type { CassetteInput } from './cassette.js';
import { buildSimApp } from './routes.js';
import { SimState } from './state.js';

const MAIN = 'You are LuminaMind, a careful assistant that plans, delegates and verifies.';
const cassette = {
  id: 'weather',
  threads: [{ agent: 'LuminaMind', user: 'Weather in Paris?', turns: [{ tool_calls: [{ name: 'get_weather', arguments: { city: 'Paris' } }] }, { content: 'It is 18 °C and sunny in Paris.' }] }],
};
const ask = (user: string, extra: object = {}) => ({ model: 'sim', messages: [{ role: 'system', content: MAIN }, { role: 'user', content: user }], ...extra });

/** The routes through fastify's inject: no socket is opened. */
describe('simulator routes (inject)', () => {
  const setup = async (cassettes: CassetteInput[] = [cassette]) => {
    const state = new SimState();
    await state.loadCassettes(cassettes);
    return { state, app: buildSimApp(state, undefined) };
  };

  it('a miss is a 404 in the OpenAI envelope with its code and the nearest cassette as data', async () => {
    const { app, state } = await setup();
    const res = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: ask('Weather in Lyon?') });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: {
        message: expect.stringContaining("Nearest: cassette 'weather' thread 0"),
        type: 'not_found_error',
        param: null,
        code: 'EVL_ERR_SIM_NO_CASSETTE',
        nearest: { cassette: 'weather', thread: 0, turns: 2 },
      },
    });
    expect(state.stats).toMatchObject({ requests: 1, misses: 1, served: 0 });
  });

  it('with nothing loaded a miss names no nearest cassette (the field is data, not decoration)', async () => {
    const { app } = await setup([]);
    const body = (await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: ask('Weather in Lyon?') })).json<{ error: Record<string, unknown> }>();
    expect(body.error.code).toBe('EVL_ERR_SIM_NO_CASSETTE');
    expect(body.error).not.toHaveProperty('nearest');
  });

  it('streams tool-call deltas, a finish chunk, a usage chunk and [DONE]', async () => {
    const { app, state } = await setup();
    const res = await app.inject({ method: 'POST', url: '/chat/completions', payload: ask('Weather in Paris?', { stream: true, stream_options: { include_usage: true } }) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    expect(res.headers['x-sim-cassette']).toBe('weather#0.0');
    const events = res.body.split('\n\n').filter(Boolean).map((e) => e.replace(/^data: /, ''));
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as { choices: { delta: { tool_calls?: { function: { name?: string } }[] }; finish_reason: string | null }[]; usage: unknown });
    expect(chunks.some((c) => c.choices[0]?.delta.tool_calls?.[0]?.function.name === 'get_weather')).toBe(true);
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) } });
    expect(state.stats).toMatchObject({ served: 1, streamed: 1, byCassette: { weather: 1 } });
  });

  it('a body that is not JSON, whatever its content type, is a 400 counted as a bad request', async () => {
    const { app, state } = await setup();
    const res = await app.inject({ method: 'POST', url: '/v1/chat/completions', headers: { 'content-type': 'text/plain' }, payload: '{nope' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'EVL_ERR_SIM_BAD_REQUEST', type: 'invalid_request_error' } });
    expect(state.stats).toMatchObject({ requests: 1, badRequests: 1 });
  });

  it('unknown routes and admin routes answer 404 in the same envelope', async () => {
    const { app } = await setup();
    expect((await app.inject({ method: 'PUT', url: '/_admin/nope' })).json()).toMatchObject({ error: { code: 'EVL_ERR_SIM_BAD_REQUEST', message: expect.stringContaining('unknown admin route PUT /_admin/nope') } });
    expect((await app.inject({ method: 'GET', url: '/v2/x' })).statusCode).toBe(404);
  });

  it('injected faults come before the cassette and carry retry-after', async () => {
    const { app, state } = await setup();
    state.setFaults({ failNext: 1, errorStatus: 429, retryAfterMs: 2500 });
    const res = await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: ask('Weather in Paris?') });
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('3');
    expect(res.json()).toMatchObject({ error: { code: 'EVL_ERR_SIM_FAULT_INJECTED', type: 'rate_limit_error' } });
    expect((await app.inject({ method: 'POST', url: '/v1/chat/completions', payload: ask('Weather in Paris?') })).statusCode).toBe(200);
  });
});
