import { createChatModel, errorCode, loadConfig, type LlmCallRecord } from '../../agent/src/index.js';
import { startSimulator, type Simulator } from './index.js';

/** The acceptance scenario for the model layer, over real HTTP: two simulators, the agent's own resilient model. */
describe('resilient model against two simulators (primary + fallback)', () => {
  let primary: Simulator;
  let fallback: Simulator;

  beforeEach(async () => {
    primary = await startSimulator({ port: 0, cassettes: [{ id: 'primary', turns: [{ content: 'primary says hi' }] }] });
    fallback = await startSimulator({ port: 0, cassettes: [{ id: 'fallback', turns: [{ content: 'fallback says hi' }] }] });
  });

  afterEach(async () => {
    await Promise.all([primary.close(), fallback.close()]);
  });

  function model(hooks: Parameters<typeof createChatModel>[1] = {}) {
    const config = loadConfig({
      OPENAI_BASE_URL: primary.url,
      OPENAI_API_KEY: 'sim',
      LLM_MODEL: 'sim-primary',
      LLM_FALLBACK_BASE_URL: fallback.url,
      LLM_FALLBACK_API_KEY: 'sim',
      LLM_FALLBACK_MODEL: 'sim-fallback',
      LLM_MAX_ATTEMPTS: '3',
      LLM_RETRY_MIN_MS: '10',
      LLM_RETRY_MAX_MS: '40',
      LLM_TIMEOUT_MS: '2000',
      LLM_BREAKER_FAILURES: '5',
      LLM_BREAKER_HALF_OPEN_MS: '300',
    });
    return createChatModel(config, hooks);
  }

  it('5 failures open the breaker, the fallback answers, then a half-open probe closes it once the primary is healthy', async () => {
    const transitions: string[] = [];
    const calls: LlmCallRecord[] = [];
    const llm = model({ onBreakerChange: (c) => transitions.push(`${c.endpoint}:${c.state}`), onCall: (c) => calls.push(c) });
    primary.setFaults({ failNext: 5, errorStatus: 503 });

    expect((await llm.invoke('hello')).content).toBe('fallback says hi');
    expect(primary.stats().requests).toBe(3);
    expect(llm.breakerStates().primary?.state).toBe('closed');

    expect((await llm.invoke('hello')).content).toBe('fallback says hi');
    expect(primary.stats().requests).toBe(5);
    expect(primary.stats().faults.failNext).toBe(5);
    expect(llm.breakerStates().primary?.state).toBe('open');
    expect(transitions).toEqual(['primary:open']);

    // Open: the primary (healthy again by now) is not even asked.
    let streamed = '';
    for await (const chunk of await llm.stream('hello')) streamed += String(chunk.content);
    expect(streamed).toBe('fallback says hi');
    expect(primary.stats().requests).toBe(5);

    await new Promise((r) => setTimeout(r, 350));
    expect((await llm.invoke('hello')).content).toBe('primary says hi');
    expect(primary.stats().requests).toBe(6);
    expect(transitions).toEqual(['primary:open', 'primary:half-open', 'primary:closed']);
    expect(llm.breakerStates()).toMatchObject({ primary: { state: 'closed' }, fallback: { state: 'closed' } });
    expect(fallback.stats().requests).toBe(3);

    expect(calls.map((c) => `${c.endpoint}:${c.status}:${c.attempts}`)).toEqual([
      'primary:error:3',
      'fallback:success:1',
      'primary:error:2',
      'fallback:success:1',
      'primary:circuit_open:0',
      'fallback:success:1',
      'primary:success:1',
    ]);
    expect(calls.filter((c) => c.status === 'success').every((c) => c.inputTokens > 0 && c.outputTokens > 0)).toBe(true);
  });

  it('reports AGT_ERR_MODEL_UNAVAILABLE when both endpoints fail', async () => {
    primary.setFaults({ errorRate: 1, errorStatus: 503 });
    fallback.setFaults({ errorRate: 1, errorStatus: 502 });
    const err = await model()
      .invoke('hello')
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(errorCode(err)).toBe('AGT_ERR_MODEL_UNAVAILABLE');
    expect(primary.stats().requests).toBe(3);
    expect(fallback.stats().requests).toBe(3);
  });

  it('does not retry or fall back once a streamed answer was cut half-way', async () => {
    primary.setFaults({ cutStream: 3 });
    const llm = model();
    let text = '';
    const err = await (async () => {
      for await (const chunk of await llm.stream('hello')) text += String(chunk.content);
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(errorCode(err)).toBe('AGT_ERR_MODEL_UNAVAILABLE');
    expect(text.length).toBeGreaterThan(0);
    expect('primary says hi'.startsWith(text)).toBe(true);
    expect(primary.stats().requests).toBe(1);
    expect(fallback.stats().requests).toBe(0);
  });
});
