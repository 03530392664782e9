import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type InjectOptions } from 'fastify';
import { AUTH_HEADERS, startOfflineService } from '../routes/service.test-support.js';

const ROOT = join(import.meta.dirname, '../../..');
/** code → HTTP status, as docs/ERRORS.md lists them. */
const DOCUMENTED = new Map(
  [...readFileSync(join(ROOT, 'docs/ERRORS.md'), 'utf8').matchAll(/^\| `([A-Z]+_ERR_[A-Z0-9_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])]),
);

const json = { ...AUTH_HEADERS, 'content-type': 'application/json' };
const LONG_ID = 'a'.repeat(5_000);

// Every error fastify itself produces, and ours, each in the one envelope with a documented code and status.
const ROWS: [string, InjectOptions, number, string][] = [
  ['thread id of 5,000 characters (router limit)', { method: 'GET', url: `/v1/threads/${LONG_ID}`, headers: AUTH_HEADERS }, 414, 'AGT_ERR_URI_TOO_LONG'],
  ['thread id of 5,000 characters, no key', { method: 'GET', url: `/v1/threads/${LONG_ID}` }, 414, 'AGT_ERR_URI_TOO_LONG'],
  ['thread id of 200 characters (schema limit)', { method: 'GET', url: `/v1/threads/${'a'.repeat(200)}`, headers: AUTH_HEADERS }, 400, 'AGT_ERR_REQUEST_INVALID'],
  ['body over 1 MiB', { method: 'POST', url: '/v1/chat', headers: json, payload: JSON.stringify({ message: 'x'.repeat(1024 * 1024 + 1) }) }, 413, 'AGT_ERR_BODY_TOO_LARGE'],
  ['text/plain body', { method: 'POST', url: '/v1/chat', headers: { ...AUTH_HEADERS, 'content-type': 'text/plain' }, payload: 'hi' }, 415, 'AGT_ERR_UNSUPPORTED_MEDIA_TYPE'],
  ['unknown route', { method: 'GET', url: '/v2/chat' }, 404, 'AGT_ERR_NOT_FOUND'],
  ['bad JSON', { method: 'POST', url: '/v1/chat', headers: json, payload: '{"message":' }, 400, 'AGT_ERR_REQUEST_INVALID'],
  ['GET on POST /v1/chat', { method: 'GET', url: '/v1/chat', headers: AUTH_HEADERS }, 405, 'AGT_ERR_METHOD_NOT_ALLOWED'],
  ['DELETE on GET /health', { method: 'DELETE', url: '/health' }, 405, 'AGT_ERR_METHOD_NOT_ALLOWED'],
  ['malformed percent-encoding in the path', { method: 'GET', url: '/v1/threads/%E0%A4%A', headers: AUTH_HEADERS }, 400, 'AGT_ERR_REQUEST_INVALID'],
  ['no API key', { method: 'POST', url: '/v1/chat', headers: { 'content-type': 'application/json' }, payload: '{"message":"hi"}' }, 401, 'AGT_ERR_UNAUTHORIZED'],
  ['feedback for a run never answered', { method: 'POST', url: '/v1/feedback', headers: json, payload: '{"thread_id":"t","run_id":"r","rating":"good"}' }, 404, 'AGT_ERR_RUN_NOT_FOUND'],
];

let svc: Awaited<ReturnType<typeof startOfflineService>>;
beforeAll(async () => {
  svc = await startOfflineService();
});
afterAll(async () => {
  await svc?.close();
});

describe('every error in the one envelope {error: {code, message}}', () => {
  it.each(ROWS)('%s → %i %s', async (_name, request, status, code) => {
    const res = await svc.app.inject(request);
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json() as { error: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toEqual({ code, message: expect.any(String) });
    expect(DOCUMENTED.get(code), `${code} in docs/ERRORS.md with status ${status}`).toBe(status);
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('names the methods a known path allows', async () => {
    const res = await svc.app.inject({ method: 'GET', url: '/v1/chat', headers: AUTH_HEADERS });
    expect(res.headers.allow).toBe('POST');
    expect(res.json().error.message).toContain('allowed: POST');
  });

  it('answers a request that arrives while the server closes with 503 AGT_ERR_SHUTTING_DOWN in the envelope', async () => {
    const other = await startOfflineService();
    const closing = other.app.close();
    // inject runs after close began: fastify's preClose has run, the router still answers.
    const res = await other.app.inject({ method: 'GET', url: '/health' }).catch((err: unknown) => err);
    await closing;
    await other.close().catch(() => undefined);
    if (res instanceof Error) return expect.fail(`inject refused during close: ${res.message}`);
    const reply = res as Awaited<ReturnType<typeof other.app.inject>>;
    expect(reply.statusCode).toBe(503);
    expect(reply.json()).toEqual({ error: { code: 'AGT_ERR_SHUTTING_DOWN', message: expect.any(String) } });
  });

  it('can fail: without the envelope, fastify answers the same 414 and 405 in its own shape', async () => {
    const bare = Fastify({ routerOptions: { maxParamLength: 2048 } });
    bare.get('/v1/threads/:id', async () => ({}));
    bare.post('/v1/chat', async () => ({}));
    const long = await bare.inject({ method: 'GET', url: `/v1/threads/${LONG_ID}` });
    expect(long.statusCode).toBe(414);
    expect(long.json().error).toBe('Bad Request');
    const wrongMethod = await bare.inject({ method: 'GET', url: '/v1/chat' });
    expect(wrongMethod.statusCode).toBe(404);
    expect(typeof wrongMethod.json().error).toBe('string');
    await bare.close();
  });
});
