import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { BrokenCircuitError, TaskCancelledError } from 'cockatiel';
import { EndpointPolicy, PartialResponseError, isTransientError } from './resilience.js';
import { costUsd, sumCalls, type LlmCallRecord } from './usage.js';
import { providerOf } from './endpoint.js';

const httpError = (status: number, headers: Record<string, string> = {}) =>
  APIError.generate(status, { error: { message: `status ${status}` } }, `status ${status}`, new Headers(headers));

describe('isTransientError', () => {
  it.each([
    ['429', httpError(429), true],
    ['500', httpError(500), true],
    ['502', httpError(502), true],
    ['503', httpError(503), true],
    ['408', httpError(408), true],
    ['400', httpError(400), false],
    ['401', httpError(401), false],
    ['404', httpError(404), false],
    ['our timeout', new TaskCancelledError('timed out'), true],
    ['SDK timeout', new APIConnectionTimeoutError(), true],
    ['connection error', new APIConnectionError({ message: 'refused' }), true],
    ['socket terminated', new TypeError('terminated'), true],
    ['ECONNRESET', Object.assign(new Error('reset'), { code: 'ECONNRESET' }), true],
    ['open breaker', new BrokenCircuitError(), false],
    ['partial stream', new PartialResponseError(httpError(503)), false],
    ['a bug', new TypeError('x is not a function'), false],
    ['not an error', 'boom', false],
  ])('%s → %s', (_name, err, expected) => {
    expect(isTransientError(err)).toBe(expected);
  });
});

describe('EndpointPolicy', () => {
  const options = { retry: { maxAttempts: 3, minDelayMs: 20, maxDelayMs: 200 }, breaker: { failureThreshold: 5, halfOpenAfterMs: 100 }, timeoutMs: 100 };

  it('waits min·2^n between attempts (exponential, capped)', async () => {
    const at: number[] = [];
    const policy = new EndpointPolicy({ ...options, retry: { maxAttempts: 4, minDelayMs: 20, maxDelayMs: 50 } });
    await expect(
      policy.execute(async () => {
        at.push(performance.now());
        throw httpError(503);
      }),
    ).rejects.toMatchObject({ status: 503 });
    const gaps = at.slice(1).map((t, i) => t - (at[i] as number));
    expect(gaps).toHaveLength(3);
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(48);
    expect(gaps[2]).toBeLessThan(150);
  });

  it('honours Retry-After up to maxDelayMs', async () => {
    const at: number[] = [];
    const policy = new EndpointPolicy({ ...options, retry: { maxAttempts: 2, minDelayMs: 1, maxDelayMs: 150 } });
    await expect(
      policy.execute(async () => {
        at.push(performance.now());
        throw httpError(429, { 'retry-after': '60' });
      }),
    ).rejects.toMatchObject({ status: 429 });
    expect((at[1] as number) - (at[0] as number)).toBeGreaterThanOrEqual(145);
  });

  it('prefers OpenAI retry-after-ms', async () => {
    const at: number[] = [];
    const policy = new EndpointPolicy({ ...options, retry: { maxAttempts: 2, minDelayMs: 1, maxDelayMs: 1000 } });
    await expect(
      policy.execute(async () => {
        at.push(performance.now());
        throw httpError(429, { 'retry-after-ms': '80', 'retry-after': '60' });
      }),
    ).rejects.toMatchObject({ status: 429 });
    const gap = (at[1] as number) - (at[0] as number);
    expect(gap).toBeGreaterThanOrEqual(75);
    expect(gap).toBeLessThan(500);
  });

  it('times an attempt out and aborts its signal', async () => {
    let aborted = false;
    const policy = new EndpointPolicy({ ...options, retry: { ...options.retry, maxAttempts: 1 } });
    await expect(
      policy.execute(
        (signal) =>
          new Promise((_resolve, reject) => {
            signal.addEventListener('abort', () => {
              aborted = true;
              reject(new Error('aborted'));
            });
          }),
      ),
    ).rejects.toBeInstanceOf(TaskCancelledError);
    expect(aborted).toBe(true);
  });

  it('reports open with a countdown, and each transition', async () => {
    const policy = new EndpointPolicy({ ...options, retry: { ...options.retry, maxAttempts: 1 } });
    const states: string[] = [];
    const unsubscribe = policy.onStateChange((s) => states.push(s));
    for (let i = 0; i < 5; i++) await policy.execute(async () => Promise.reject(httpError(500))).catch(() => undefined);
    const snap = policy.snapshot();
    expect(snap.state).toBe('open');
    expect(snap.retryAfterMs).toBeGreaterThan(50);
    expect(Date.parse(snap.openedAt ?? '')).not.toBeNaN();
    await expect(policy.execute(async () => 'x')).rejects.toBeInstanceOf(BrokenCircuitError);
    await new Promise((r) => setTimeout(r, 120));
    await expect(policy.execute(async () => 'ok')).resolves.toBe('ok');
    expect(states).toEqual(['open', 'half-open', 'closed']);
    expect(policy.snapshot()).toEqual({ state: 'closed' });
    unsubscribe();
  });
});

describe('usage', () => {
  it('prices tokens per million', () => {
    expect(costUsd({ input: 0.15, output: 0.6 }, 1_000_000, 500_000)).toBeCloseTo(0.45, 12);
    expect(costUsd({ input: 0, output: 0 }, 123, 456)).toBe(0);
  });

  it('sums calls', () => {
    const call = (endpoint: 'primary' | 'fallback', status: LlmCallRecord['status'], tokens: number): LlmCallRecord => ({
      provider: 'local',
      model: 'm',
      endpoint,
      status,
      inputTokens: tokens,
      outputTokens: tokens,
      costUsd: tokens / 1000,
      latencyMs: 10,
      attempts: 1,
      streamed: false,
    });
    expect(sumCalls([call('primary', 'error', 0), call('fallback', 'success', 10), call('primary', 'success', 5)])).toEqual({
      requests: 3,
      succeeded: 2,
      failed: 1,
      fallbackAnswers: 1,
      inputTokens: 15,
      outputTokens: 15,
      costUsd: 0.015,
      latencyMs: 30,
    });
  });
});

describe('providerOf', () => {
  it.each([
    ['https://api.openai.com/v1', 'openai'],
    ['https://my-res.openai.azure.com/openai', 'azure'],
    ['https://api.z.ai/api/paas/v4/', 'zai'],
    ['http://ollama:11434/v1', 'ollama'],
    ['http://127.0.0.1:43123/v1', 'local'],
    ['http://localhost:8080/v1', 'local'],
    ['https://llm.example.com/v1', 'llm.example.com'],
    ['not a url', 'unknown'],
  ])('%s → %s', (url, provider) => {
    expect(providerOf(url)).toBe(provider);
  });
});
