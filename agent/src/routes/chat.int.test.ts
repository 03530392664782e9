import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AUTH_HEADERS, startTestService, type TestService } from './service.test-support.js';

describe('POST /v1/chat', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('answers a plain question with the documented shape and a request id', async () => {
    const res = await svc.app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { message: 'Say hello' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBeTruthy();
    const body = res.json();
    expect(body).toMatchObject({ status: 'completed', answer: 'Hello! How can I help you today?', tool_calls: [], todos: [], pending_actions: [] });
    expect(body.thread_id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(body.run_id).toBeTruthy();
    expect(body.usage.calls).toBe(1);
    expect(body.confidence).toBeGreaterThan(0);
    expect(typeof body.latency_ms).toBe('number');
  });

  it('keeps the thread across turns and serves its history', async () => {
    const first = await svc.app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { thread_id: 'hist-1', message: 'Say hello' } });
    expect(first.statusCode).toBe(200);
    const second = await svc.app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { thread_id: 'hist-1', message: 'And again?' } });
    expect(second.json().answer).toBe('Hello again, still here to help.');
    const history = await svc.app.inject({ method: 'GET', url: '/v1/threads/hist-1', headers: AUTH_HEADERS });
    expect(history.statusCode).toBe(200);
    expect(history.json().messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    const unknown = await svc.app.inject({ method: 'GET', url: '/v1/threads/never-seen', headers: AUTH_HEADERS });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('AGT_ERR_NOT_FOUND');
  });

  it('runs a tool in the thread workspace and reports the call', async () => {
    await mkdir(join(svc.root, 'tool-1'), { recursive: true });
    await writeFile(join(svc.root, 'tool-1', 'notes.txt'), 'remember the milk\n');
    const res = await svc.app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { thread_id: 'tool-1', message: 'What is in notes.txt?' } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.tool_calls).toHaveLength(1);
    expect(body.tool_calls[0]).toMatchObject({ name: 'read_file', error: false, args: { file_path: 'notes.txt' } });
    expect(JSON.stringify(body.tool_calls[0].output)).toContain('remember the milk');
    const metrics = await svc.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/luminamind_tool_invocations_total\{tool_name="read_file",status="success"\} 1/);
    expect(metrics.body).toMatch(/luminamind_llm_requests_total\{provider="[^"]+",model="sim-model",status="success"\} \d+/);
    expect(metrics.body).toMatch(/luminamind_requests_total\{method="POST",endpoint="\/v1\/chat",status="200"\} \d+/);
    expect(metrics.body).toMatch(/luminamind_llm_tokens_total\{[^}]*type="input"\} [1-9]/);
  });

  it('asks for approval before a mutating tool and resumes over HTTP', async () => {
    const res = await svc.app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { thread_id: 'appr-1', message: 'Write "remember the milk" to notes.txt' } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('awaiting_approval');
    expect(body.pending_actions).toEqual([expect.objectContaining({ name: 'write_file', args: { file_path: 'notes.txt', text: 'remember the milk' } })]);

    const wrongCount = await svc.app.inject({ method: 'POST', url: '/v1/threads/appr-1/approvals', headers: AUTH_HEADERS, payload: { decisions: [{ type: 'approve' }, { type: 'approve' }] } });
    expect(wrongCount.statusCode).toBe(400);

    const resumed = await svc.app.inject({ method: 'POST', url: '/v1/threads/appr-1/approvals', headers: AUTH_HEADERS, payload: { decisions: [{ type: 'approve' }] } });
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json()).toMatchObject({ status: 'completed', answer: 'Done: notes.txt now says remember the milk.' });
    expect(svc.logs.some((l) => l.includes('"logger":"security"') && l.includes('mutating_tool_call') && l.includes('decisions:approve'))).toBe(true);

    const again = await svc.app.inject({ method: 'POST', url: '/v1/threads/appr-1/approvals', headers: AUTH_HEADERS, payload: { decisions: [{ type: 'approve' }] } });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('AGT_ERR_NO_PENDING_APPROVAL');
  });

  it('streams tool events and the final result over SSE', async () => {
    await mkdir(join(svc.root, 'sse-1'), { recursive: true });
    await writeFile(join(svc.root, 'sse-1', 'notes.txt'), 'remember the milk\n');
    const res = await svc.app.inject({
      method: 'POST',
      url: '/v1/chat',
      headers: { ...AUTH_HEADERS, accept: 'text/event-stream' },
      payload: { thread_id: 'sse-1', message: 'What is in notes.txt?' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    const events = [...res.body.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => ({ event: m[1]!, data: JSON.parse(m[2]!) }));
    expect(events.map((e) => e.event).filter((e) => e !== 'token')).toEqual(['run_started', 'tool_start', 'tool_end', 'result']);
    const result = events.at(-1)!.data;
    expect(result.answer).toBe('notes.txt says: remember the milk.');
    const tokens = events.filter((e) => e.event === 'token');
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.map((t) => t.data.text).join('')).toBe(result.answer);
    expect(events.findIndex((e) => e.event === 'token')).toBeGreaterThan(events.findIndex((e) => e.event === 'tool_end'));
    const metrics = (await svc.app.inject({ method: 'GET', url: '/metrics' })).body;
    const before = Number(/luminamind_requests_total\{method="POST",endpoint="\/v1\/chat",status="200"\} (\d+)/.exec(metrics)![1]);
    await svc.app.inject({ method: 'POST', url: '/v1/chat', headers: { ...AUTH_HEADERS, accept: 'text/event-stream' }, payload: { message: 'Say hello' } });
    const after = (await svc.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(after).toContain(`luminamind_requests_total{method="POST",endpoint="/v1/chat",status="200"} ${before + 1}`);
  });

  it('rejects an empty answer and a leaked stack trace with AGT_ERR_ANSWER_REJECTED', async () => {
    for (const message of ['Answer with nothing', 'Crash please']) {
      const res = await svc.app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { message } });
      expect(res.statusCode).toBe(502);
      expect(res.json().error.code).toBe('AGT_ERR_ANSWER_REJECTED');
      expect(res.body).not.toContain('/app/');
    }
  });

  it('feeds feedback on answered runs into the quality metrics', async () => {
    const runs = [];
    for (const thread_id of ['fb-1', 'fb-2']) {
      runs.push((await svc.app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { thread_id, message: 'Say hello' } })).json() as { thread_id: string; run_id: string });
    }
    const good = await svc.app.inject({ method: 'POST', url: '/v1/feedback', headers: AUTH_HEADERS, payload: { thread_id: runs[0]!.thread_id, run_id: runs[0]!.run_id, rating: 'good', category: 'qa' } });
    expect(good.statusCode).toBe(202);
    await svc.app.inject({ method: 'POST', url: '/v1/feedback', headers: AUTH_HEADERS, payload: { thread_id: runs[1]!.thread_id, run_id: runs[1]!.run_id, rating: 'bad', category: 'qa' } });
    const metrics = (await svc.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('luminamind_response_quality_total{category="qa",rating="good"} 1');
    expect(metrics).toContain('luminamind_accuracy_score{category="qa"} 0.5');
  });

  it('refuses feedback on a run it never answered with 404 AGT_ERR_RUN_NOT_FOUND, and counts nothing', async () => {
    const answered = (await svc.app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { thread_id: 'fb-3', message: 'Say hello' } })).json() as { run_id: string };
    for (const payload of [
      { thread_id: 'fb-3', run_id: 'never-issued', rating: 'good', category: 'unknown_run' },
      // A real run id under another thread is not that thread's run.
      { thread_id: 'fb-other', run_id: answered.run_id, rating: 'good', category: 'unknown_run' },
    ]) {
      const res = await svc.app.inject({ method: 'POST', url: '/v1/feedback', headers: AUTH_HEADERS, payload });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('AGT_ERR_RUN_NOT_FOUND');
    }
    const metrics = (await svc.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).not.toContain('category="unknown_run"');
  });

  it('deletes a thread: state, workspace and all', async () => {
    await svc.app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { thread_id: 'del-1', message: 'Say hello' } });
    const del = await svc.app.inject({ method: 'DELETE', url: '/v1/threads/del-1', headers: AUTH_HEADERS });
    expect(del.statusCode).toBe(204);
    const after = await svc.app.inject({ method: 'GET', url: '/v1/threads/del-1', headers: AUTH_HEADERS });
    expect(after.statusCode).toBe(404);
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(svc.root, 'del-1'))).toBe(false);
  });

  it('rejects a pending action over HTTP: the file is never written', async () => {
    const res = await svc.app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { thread_id: 'rej-1', message: 'Write "remember the milk" to notes.txt' } });
    expect(res.json().status).toBe('awaiting_approval');
    const resumed = await svc.app.inject({ method: 'POST', url: '/v1/threads/rej-1/approvals', headers: AUTH_HEADERS, payload: { decisions: [{ type: 'reject', message: 'not now' }] } });
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json().status).toBe('completed');
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(svc.root, 'rej-1', 'notes.txt'))).toBe(false);
  });

  it('refuses a second concurrent run on the same thread with 409', async () => {
    svc.sim.setFaults({ latencyMs: 300 });
    try {
      const [a, b] = await Promise.all([
        svc.app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { thread_id: 'busy-1', message: 'Say hello' } }),
        new Promise((r) => setTimeout(r, 50)).then(() => svc.app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { thread_id: 'busy-1', message: 'Say hello' } })),
      ]);
      expect(a.statusCode).toBe(200);
      expect(b.statusCode).toBe(409);
      expect(b.json().error.code).toBe('AGT_ERR_THREAD_BUSY');
    } finally {
      svc.sim.setFaults({});
    }
  });

  it('streams each SSE request its own tokens, and keeps JSON requests off model streaming', async () => {
    const sse = (thread_id: string, message: string) =>
      svc.app.inject({ method: 'POST', url: '/v1/chat', headers: { ...AUTH_HEADERS, accept: 'text/event-stream' }, payload: { thread_id, message } });
    const [a, b] = await Promise.all([sse('tok-a', 'Say hello'), sse('tok-b', 'Write "remember the milk" to notes.txt')]);
    const tokensOf = (body: string) => [...body.matchAll(/^event: token\ndata: (.*)$/gm)].map((m) => JSON.parse(m[1]!).text).join('');
    expect(tokensOf(a.body)).toBe('Hello! How can I help you today?');
    expect(tokensOf(b.body)).toBe('');
    const streamedBefore = svc.sim.stats().streamed;
    await svc.app.inject({ method: 'POST', url: '/v1/chat', headers: AUTH_HEADERS, payload: { message: 'Say hello' } });
    expect(svc.sim.stats().streamed).toBe(streamedBefore);
  });
});
