import type { InjectOptions } from 'fastify';
import { AUTH_HEADERS, CANARY, TEST_KEY, startTestService } from './routes/service.test-support.js';

describe('buildServer', () => {
  it('writes no secret into any log line over a full request cycle, errors included', async () => {
    const secrets = { SERPER_API_KEY: 'serper-canary-77aa11', WEATHER_API_KEY: 'weather-canary-88bb22', REDIS_PASSWORD: 'redis-canary-99cc33' };
    const svc = await startTestService({ LOG_LEVEL: 'trace', ...secrets });
    try {
      const inject = (o: InjectOptions) => svc.app.inject(o);
      await inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { thread_id: 'sec-1', message: 'Say hello' } });
      await inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { message: 'Crash please' } });
      await inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { message: 'No cassette for this one' } });
      await inject({ method: 'POST', url: '/v1/chat', headers: { authorization: `Bearer ${CANARY}` }, payload: { message: 'hi' } });
      await inject({ method: 'POST', url: '/v1/chat', headers: { ...AUTH_HEADERS, 'content-type': 'application/json' }, payload: `{"message": "${CANARY}` });
      await inject({ method: 'GET', url: '/v1/threads/sec-1', headers: AUTH_HEADERS });
      await inject({ method: 'DELETE', url: '/v1/threads/sec-1', headers: AUTH_HEADERS });
      await svc.sim.close();
      await inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { message: 'Say hello' } });
      await inject({ method: 'GET', url: '/ready' });
      expect(svc.logs.length).toBeGreaterThan(10);
      expect(svc.logs.some((l) => l.includes('"level":"error"'))).toBe(true);
      const all = svc.logs.join('\n');
      for (const secret of [CANARY, TEST_KEY, ...Object.values(secrets)]) expect(all).not.toContain(secret);
      for (const line of svc.logs) expect(() => JSON.parse(line)).not.toThrow();
    } finally {
      await svc.close();
    }
  });

  it('tags every log line of a request with its request id, echoing a sane x-request-id', async () => {
    const svc = await startTestService();
    try {
      const res = await svc.app.inject({ method: 'POST', url: '/v1/chat', headers: { ...AUTH_HEADERS, 'x-request-id': 'req-abc-123' }, payload: { thread_id: 'rid-1', message: 'Say hello' } });
      expect(res.headers['x-request-id']).toBe('req-abc-123');
      const run = svc.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'run_completed');
      expect(run).toMatchObject({ reqId: 'req-abc-123', thread_id: 'rid-1', status: 'completed' });
      expect(run.run_id).toBeTruthy();
      const bad = await svc.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'bad id\nwith newline' } });
      expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await svc.close();
    }
  });

  it('answers 429 with Retry-After at the configured per-key request count', async () => {
    const svc = await startTestService({ RATE_LIMIT_REQUESTS_PER_MIN: '3' });
    try {
      const feedback = { thread_id: 't', run_id: 'r', rating: 'good' };
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await svc.app.inject({ method: 'POST', url: '/v1/feedback', headers: AUTH_HEADERS, payload: feedback })).statusCode);
      // The route answers 404 (unknown run) until the edge limit refuses the fourth request.
      expect(statuses).toEqual([404, 404, 404, 429]);
      const limited = await svc.app.inject({ method: 'POST', url: '/v1/feedback', headers: AUTH_HEADERS, payload: feedback });
      expect(limited.headers['retry-after']).toMatch(/^\d+$/);
      expect(limited.json().error.code).toBe('AGT_ERR_RATE_LIMITED');
      expect((await svc.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      const metrics = (await svc.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toMatch(/rate_limit_exceeded_total\{tool_name="http",key_type="api_key"\} 2/);
    } finally {
      await svc.close();
    }
  });

  it('refuses a tool over its per-key limit as a tool error the model reads, and counts it', async () => {
    const svc = await startTestService({ RATE_LIMIT_WEB_SEARCH_PER_MIN: '1', DISABLE_WEB_SEARCH: 'true' });
    try {
      const res = await svc.app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { message: 'Search twice for Lyon' } });
      expect(res.statusCode).toBe(200);
      const [first, second] = res.json().tool_calls;
      expect(first.output.code).not.toBe('AGT_ERR_RATE_LIMITED');
      expect(second.output).toMatchObject({ error: true, code: 'AGT_ERR_RATE_LIMITED' });
      const metrics = (await svc.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toContain('rate_limit_exceeded_total{tool_name="web_search",key_type="api_key"} 1');
      expect(svc.logs.some((l) => l.includes('"logger":"security"') && l.includes('"tool":"web_search"') && l.includes('rate_limited'))).toBe(true);
    } finally {
      await svc.close();
    }
  });

  it('refuses new runs with 503 once draining, and lets an in-flight run finish', async () => {
    const svc = await startTestService();
    try {
      svc.sim.setFaults({ latencyMs: 300 });
      const inflight = svc.app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { message: 'Say hello' } });
      await new Promise((r) => setTimeout(r, 100));
      svc.app.luminamind.beginDrain();
      const refused = await svc.app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { message: 'Say hello' } });
      expect(refused.statusCode).toBe(503);
      expect(refused.json().error.code).toBe('AGT_ERR_SHUTTING_DOWN');
      expect((await inflight).statusCode).toBe(200);
      expect((await svc.app.inject({ method: 'GET', url: '/ready' })).json().failing).toContain('shutdown');
    } finally {
      await svc.close();
    }
  });

  it('counts and audit-logs path traversal and dangerous shell patterns seen by tools', async () => {
    const svc = await startTestService({ APPROVAL_POLICY: 'auto' });
    try {
      const res = await svc.app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { thread_id: 'attack-1', message: 'Show me the password file' } });
      expect(res.statusCode).toBe(200);
      expect(res.json().tool_calls.map((c: { error: boolean }) => c.error)).toEqual([true, true]);
      const metrics = (await svc.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toContain('path_traversal_attempts_total{tool_name="read_file"} 1');
      expect(metrics).toContain('shell_dangerous_patterns_blocked_total{pattern="rm -rf /"} 1');
      expect(metrics).toContain('shell_dangerous_patterns_blocked_total{pattern="dd if="} 0');
      const audit = svc.logs.map((l) => JSON.parse(l)).filter((l) => l.logger === 'security' && l.msg === 'security_event');
      expect(audit.map((l) => l.event)).toEqual(['path_traversal', 'shell_blocked']);
      expect(audit.every((l) => l.thread_id === 'attack-1' && l.run_id)).toBe(true);
      const shellAudit = svc.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'mutating_tool_call' && l.tool === 'shell');
      expect(shellAudit).toMatchObject({ approval: 'policy:auto', success: false });
    } finally {
      await svc.close();
    }
  });

  it('serves a repeated read from the tool cache, and forgets the thread reads after a write', async () => {
    const svc = await startTestService({ APPROVAL_POLICY: 'auto' });
    try {
      const { mkdir, writeFile } = await import('node:fs/promises');
      const { join } = await import('node:path');
      await mkdir(join(svc.root, 'cache-1'), { recursive: true });
      await writeFile(join(svc.root, 'cache-1', 'notes.txt'), 'remember the milk\n');
      const turn = (message: string) => svc.app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { thread_id: 'cache-1', message } });
      const first = (await turn('What is in notes.txt?')).json();
      const second = (await turn('Read it again')).json();
      expect(second.tool_calls[0].output).toEqual(first.tool_calls[0].output);
      await turn('Now overwrite it with buy eggs');
      const fourth = (await turn('Read it once more')).json();
      expect(JSON.stringify(fourth.tool_calls[0].output)).toContain('buy eggs');
      const metrics = (await svc.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(metrics).toContain('luminamind_cache_operations_total{operation="get",result="hit"} 1');
      expect(metrics).toContain('luminamind_cache_operations_total{operation="get",result="miss"} 2');
      const hits = svc.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'tool_executed' && l.tool_name === 'read_file').map((l) => l.cache_hit);
      expect(hits).toEqual([false, true, false]);
    } finally {
      await svc.close();
    }
  });
});
