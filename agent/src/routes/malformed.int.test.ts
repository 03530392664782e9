import type { InjectOptions } from 'fastify';
import { AUTH_HEADERS, startTestService, type TestService } from './service.test-support.js';

type Case = [name: string, request: InjectOptions, status?: number];

const json = { ...AUTH_HEADERS, 'content-type': 'application/json' };
const chat = (payload: string, headers: Record<string, string> = json): InjectOptions => ({ method: 'POST', url: '/v1/chat', headers, payload });
const approvals = (payload: string, id = 't1'): InjectOptions => ({ method: 'POST', url: `/v1/threads/${id}/approvals`, headers: json, payload });
const feedback = (payload: string): InjectOptions => ({ method: 'POST', url: '/v1/feedback', headers: json, payload });
const get = (url: string, headers: Record<string, string> = AUTH_HEADERS): InjectOptions => ({ method: 'GET', url, headers });

const CASES: Case[] = [
  // bad JSON
  ['truncated JSON', chat('{"message": "hi"'), 400],
  ['not JSON at all', chat('message=hi'), 400],
  ['empty body', chat(''), 400],
  ['JSON null', chat('null'), 400],
  ['JSON array', chat('[{"message":"hi"}]'), 400],
  ['JSON string', chat('"hi"'), 400],
  ['JSON number', chat('42'), 400],
  ['trailing garbage', chat('{"message":"hi"} x'), 400],
  ['single quotes', chat("{'message':'hi'}"), 400],
  ['NaN literal', chat('{"message": NaN}'), 400],
  ['BOM-only body', chat('\ufeff'), 400],
  // wrong types
  ['message is a number', chat('{"message": 123}'), 400],
  ['message is null', chat('{"message": null}'), 400],
  ['message is an object', chat('{"message": {"text":"hi"}}'), 400],
  ['message is an array', chat('{"message": ["hi"]}'), 400],
  ['message is a boolean', chat('{"message": true}'), 400],
  ['message is empty', chat('{"message": ""}'), 400],
  ['message missing', chat('{}'), 400],
  ['thread_id is a number', chat('{"message":"hi","thread_id": 7}'), 400],
  ['thread_id is null', chat('{"message":"hi","thread_id": null}'), 400],
  // bad thread ids
  ['thread_id with ../', chat('{"message":"hi","thread_id":"../etc"}'), 400],
  ['thread_id with slash', chat('{"message":"hi","thread_id":"a/b"}'), 400],
  ['thread_id with NUL', chat('{"message":"hi","thread_id":"a\\u0000b"}'), 400],
  ['thread_id with space', chat('{"message":"hi","thread_id":"a b"}'), 400],
  ['thread_id empty', chat('{"message":"hi","thread_id":""}'), 400],
  ['thread_id too long', chat(JSON.stringify({ message: 'hi', thread_id: 'a'.repeat(129) })), 400],
  ['thread_id unicode', chat('{"message":"hi","thread_id":"thréad"}'), 400],
  ['path thread id with dots', get('/v1/threads/..%2F..%2Fetc'), 400],
  ['path thread id with percent', get('/v1/threads/a%25b'), 400],
  ['path thread id too long', get(`/v1/threads/${'x'.repeat(200)}`), 400],
  ['approvals on a bad thread id', approvals('{"decisions":[{"type":"approve"}]}', 'a.b'), 400],
  ['delete a bad thread id', { method: 'DELETE', url: '/v1/threads/a%20b', headers: AUTH_HEADERS }, 400],
  // unknown fields
  ['unknown top-level field', chat('{"message":"hi","admin":true}'), 400],
  ['unknown field in feedback', feedback('{"thread_id":"t","run_id":"r","rating":"good","extra":1}'), 400],
  ['unknown field in a decision', approvals('{"decisions":[{"type":"approve","force":true}]}'), 400],
  ['unknown field in approvals', approvals('{"decisions":[{"type":"approve"}],"all":true}'), 400],
  // prototype pollution
  ['__proto__ key', chat('{"message":"hi","__proto__":{"isAdmin":true}}'), 400],
  ['constructor.prototype key', chat('{"message":"hi","constructor":{"prototype":{"isAdmin":true}}}'), 400],
  ['nested __proto__ in a decision', approvals('{"decisions":[{"type":"approve","__proto__":{"x":1}}]}'), 400],
  ['__proto__ in feedback', feedback('{"thread_id":"t","run_id":"r","rating":"good","__proto__":{"x":1}}'), 400],
  // huge bodies
  ['body over the limit', chat(JSON.stringify({ message: 'x'.repeat(1_100_000) })), 413],
  ['message over 32k chars', chat(JSON.stringify({ message: 'x'.repeat(40_000) })), 400],
  ['too many decisions', approvals(JSON.stringify({ decisions: Array.from({ length: 101 }, () => ({ type: 'approve' })) })), 400],
  // decisions and feedback shapes
  ['decisions empty', approvals('{"decisions":[]}'), 400],
  ['decisions not an array', approvals('{"decisions":{"type":"approve"}}'), 400],
  ['decision type unknown', approvals('{"decisions":[{"type":"maybe"}]}'), 400],
  ['edit without editedAction', approvals('{"decisions":[{"type":"edit"}]}'), 400],
  ['reject message too long', approvals(JSON.stringify({ decisions: [{ type: 'reject', message: 'x'.repeat(2001) }] })), 400],
  ['rating not good|bad', feedback('{"thread_id":"t","run_id":"r","rating":"meh"}'), 400],
  ['feedback without run_id', feedback('{"thread_id":"t","rating":"good"}'), 400],
  ['feedback category with spaces', feedback('{"thread_id":"t","run_id":"r","rating":"good","category":"a b"}'), 400],
  ['feedback bad thread id', feedback('{"thread_id":"../x","run_id":"r","rating":"good"}'), 400],
  // content types and methods
  ['text/plain body', chat('{"message":"hi"}', { ...AUTH_HEADERS, 'content-type': 'text/plain' }), 415],
  ['form body', chat('message=hi', { ...AUTH_HEADERS, 'content-type': 'application/x-www-form-urlencoded' }), 415],
  ['unknown route', get('/v1/nope'), 404],
  ['wrong method on chat', get('/v1/chat'), 405],
  ['approvals for a thread with nothing pending', approvals('{"decisions":[{"type":"approve"}]}', 'nothing-pending'), 409],
  // wrong auth
  ['no Authorization header', chat('{"message":"hi"}', { 'content-type': 'application/json' }), 401],
  ['wrong key', chat('{"message":"hi"}', { authorization: 'Bearer wrong-key', 'content-type': 'application/json' }), 401],
  ['Basic instead of Bearer', chat('{"message":"hi"}', { authorization: 'Basic dXNlcjpwYXNz', 'content-type': 'application/json' }), 401],
  ['Bearer without key', chat('{"message":"hi"}', { authorization: 'Bearer ', 'content-type': 'application/json' }), 401],
  ['key with control chars', chat('{"message":"hi"}', { authorization: 'Bearer a\tb', 'content-type': 'application/json' }), 401],
  ['huge Authorization header', chat('{"message":"hi"}', { authorization: `Bearer ${'k'.repeat(4000)}`, 'content-type': 'application/json' }), 401],
  ['history without auth', get('/v1/threads/t1', {}), 401],
  ['delete without auth', { method: 'DELETE', url: '/v1/threads/t1' }, 401],
  ['feedback with wrong key', { method: 'POST', url: '/v1/feedback', headers: { authorization: 'Bearer nope', 'content-type': 'application/json' }, payload: '{}' }, 401],
];

describe('malformed requests get a 4xx with an error code, never a 5xx', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ RATE_LIMIT_REQUESTS_PER_MIN: '100000' });
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('has at least 50 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50);
  });

  it.each(CASES)('%s', async (_name, request, status) => {
    const res = await svc.app.inject(request);
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    if (status) expect(res.statusCode).toBe(status);
    const body = res.json();
    expect(body.error.code).toMatch(/^AGT_ERR_[A-Z_]+$/);
    expect(typeof body.error.message).toBe('string');
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('never let a polluted prototype through', () => {
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('never logs a 5xx for them', () => {
    expect(svc.logs.filter((l) => l.includes('"request_failed"'))).toEqual([]);
  });
});
