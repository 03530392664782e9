import { loadConfig } from '../config.js';
import { buildServer } from '../server.js';
import { createLogCapture } from '../observability/logging.js';
import { assertAuthConfig, isLoopbackHost, sha256Hex } from './auth.js';
import { AUTH_HEADERS, startTestService, type TestService } from '../routes/service.test-support.js';

const base = { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', LLM_MODEL: 'm', OPENAI_API_KEY: 'k' };

describe('auth configuration', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['::1', true],
    ['[::1]', true],
    ['localhost', true],
    ['0.0.0.0', false],
    ['10.0.0.5', false],
    ['::', false],
    ['example.com', false],
  ])('loopback(%s) is %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });

  it('refuses AUTH=none on a non-loopback host', async () => {
    const config = loadConfig({ ...base, AUTH: 'none', HOST: '0.0.0.0' });
    expect(() => assertAuthConfig(config)).toThrow(/AUTH: 'none' is allowed only when HOST is loopback/);
    await expect(buildServer(config)).rejects.toMatchObject({ code: 'AGT_ERR_CONFIG_INVALID' });
  });

  it('refuses AUTH=apikey without any key hash', () => {
    expect(() => assertAuthConfig(loadConfig({ ...base }))).toThrow(/API_KEY_HASHES/);
  });

  it('allows AUTH=none on loopback and says so loudly in both logs', async () => {
    const capture = createLogCapture();
    const app = await buildServer(loadConfig({ ...base, AUTH: 'none', HOST: '127.0.0.1' }), { logStream: capture.stream });
    try {
      expect(capture.lines.some((l) => l.includes('"level":"warn"') && l.includes('authentication is DISABLED'))).toBe(true);
      expect(capture.lines.some((l) => l.includes('"logger":"security"') && l.includes('auth_disabled'))).toBe(true);
      // Past authentication without a key: the route itself answers (an unknown run).
      const res = await app.inject({ method: 'POST', url: '/v1/feedback', payload: { thread_id: 't', run_id: 'r', rating: 'good' } });
      expect(res.json().error.code).toBe('AGT_ERR_RUN_NOT_FOUND');
    } finally {
      await app.close();
    }
  });
});

describe('bearer API keys', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ API_KEY_HASHES: `${sha256Hex('other-key-abcdef')},${sha256Hex('lm-test-key-0123456789')}` });
  });
  afterAll(async () => {
    await svc?.close();
  });

  const feedback = { thread_id: 't', run_id: 'r', rating: 'good' };

  it('accepts any configured key and rejects others, counting each failure by reason', async () => {
    // An accepted key reaches the route, which answers 404 for this unknown run; a refused one stops at 401.
    expect((await svc.app.inject({ method: 'POST', url: '/v1/feedback', headers: AUTH_HEADERS, payload: feedback })).statusCode).toBe(404);
    expect((await svc.app.inject({ method: 'POST', url: '/v1/feedback', headers: { authorization: 'Bearer other-key-abcdef' }, payload: feedback })).statusCode).toBe(404);
    const missing = await svc.app.inject({ method: 'POST', url: '/v1/feedback', payload: feedback });
    const invalid = await svc.app.inject({ method: 'POST', url: '/v1/feedback', headers: { authorization: 'Bearer guess' }, payload: feedback });
    expect(missing.statusCode).toBe(401);
    expect(invalid.json()).toEqual({ error: { code: 'AGT_ERR_UNAUTHORIZED', message: 'Invalid API key' } });
    const metrics = (await svc.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('auth_failures_total{reason="missing"} 1');
    expect(metrics).toContain('auth_failures_total{reason="invalid"} 1');
    expect(svc.logs.filter((l) => l.includes('"logger":"security"') && l.includes('auth_failure'))).toHaveLength(2);
    expect(svc.logs.join('\n')).not.toContain('guess');
  });

  it('leaves /health, /ready, /metrics and /docs/json open', async () => {
    for (const url of ['/health', '/metrics', '/docs/json']) expect((await svc.app.inject({ method: 'GET', url })).statusCode).toBe(200);
    expect([200, 503]).toContain((await svc.app.inject({ method: 'GET', url: '/ready' })).statusCode);
  });

  it('serves an OpenAPI document naming every route', async () => {
    const doc = (await svc.app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/chat', '/v1/threads/{id}/approvals', '/v1/threads/{id}', '/v1/feedback', '/health', '/ready']));
    expect(doc.paths['/v1/chat'].post.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
  });
});
