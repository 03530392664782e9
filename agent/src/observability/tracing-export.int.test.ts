import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { startOpenAiStub, type OpenAiStub } from '../llm/openai-stub.js';
import { startService } from '../main.js';
import { createLogCapture } from './logging.js';

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number | string; boolValue?: boolean };
}
interface OtlpSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: OtlpAttribute[];
}
interface OtlpRequest {
  resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';

function attr(attributes: OtlpAttribute[], key: string): unknown {
  const value = attributes.find((a) => a.key === key)?.value;
  return value?.stringValue ?? value?.intValue ?? value?.boolValue;
}

describe('OTLP/HTTP export from the running service', () => {
  let receiver: Server;
  let receiverUrl: string;
  const received: { path: string; contentType: string; body: string }[] = [];
  let stub: OpenAiStub;
  let root: string;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (part: Buffer) => parts.push(part));
      req.on('end', () => {
        received.push({ path: `${req.method} ${req.url}`, contentType: String(req.headers['content-type']), body: Buffer.concat(parts).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    stub = await startOpenAiStub((_request, n) => (n === 0 ? { toolCalls: [{ name: 'list_directory', args: { dir_path: '.' } }] } : { content: 'The workspace is empty.' }));
    root = await mkdtemp(join(tmpdir(), 'lm-otlp-'));
  });
  afterAll(async () => {
    await stub?.close();
    receiver?.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await rm(root, { recursive: true, force: true });
  });
  // The stub's script counts requests from 0, once per test.
  beforeEach(() => {
    stub.requests.length = 0;
  });

  it('exports nothing and logs no tracing line without an endpoint', async () => {
    const config = loadConfig({ OPENAI_BASE_URL: stub.url, OPENAI_API_KEY: 'k', LLM_MODEL: 'stub-model', WORKSPACE_ROOT: root, AUTH: 'none', HOST: '127.0.0.1', PORT: '0' });
    const capture = createLogCapture();
    const running = await startService(config, { logStream: capture.stream });
    const res = await fetch(`${running.url}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ thread_id: 'otlp-0', message: 'hi' }) });
    expect(res.status).toBe(200);
    await running.close();
    expect(capture.lines.some((l) => l.includes('tracing_'))).toBe(false);
    expect(received).toHaveLength(0);
    received.length = 0;
  });

  it('exports the request, agent, LLM and tool spans with service.name=luminamind on graceful close', async () => {
    const config = loadConfig({
      OPENAI_BASE_URL: stub.url,
      OPENAI_API_KEY: 'sk-otlp-test',
      LLM_MODEL: 'stub-model',
      WORKSPACE_ROOT: root,
      AUTH: 'none',
      HOST: '127.0.0.1',
      PORT: '0',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
    });
    const capture = createLogCapture();
    const running = await startService(config, { logStream: capture.stream, shutdownDeadlineMs: 5_000 });
    const res = await fetch(`${running.url}/v1/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01` },
      body: JSON.stringify({ thread_id: 'otlp-1', message: 'What is in my workspace?' }),
    });
    expect(res.status).toBe(200);
    await running.close();

    expect(capture.lines.some((l) => l.includes('tracing_enabled'))).toBe(true);
    expect(received.length).toBeGreaterThan(0);
    expect(received.every((r) => r.path === 'POST /v1/traces' && r.contentType.startsWith('application/json'))).toBe(true);
    const requests = received.map((r) => JSON.parse(r.body) as OtlpRequest);
    const resources = requests.flatMap((r) => r.resourceSpans);
    expect(resources.every((r) => attr(r.resource.attributes, 'service.name') === 'luminamind')).toBe(true);
    expect(attr(resources[0]!.resource.attributes, 'service.version')).toMatch(/^\d+\.\d+\.\d+/);
    const spans = resources.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));

    const server = spans.find((s) => s.name === 'POST /v1/chat');
    const agent = spans.find((s) => s.name === 'agent_execution');
    expect(server).toBeDefined();
    expect(agent).toBeDefined();
    // The caller's traceparent is continued: same trace, the server span under the caller's span.
    expect(server!.traceId).toBe(TRACE_ID);
    expect(server!.parentSpanId).toBe(CALLER_SPAN_ID);
    expect(attr(server!.attributes, 'http.route')).toBe('/v1/chat');
    expect(Number(attr(server!.attributes, 'http.response.status_code'))).toBe(200);
    expect(agent!.parentSpanId).toBe(server!.spanId);
    expect(attr(agent!.attributes, 'thread_id')).toBe('otlp-1');

    const children = spans.filter((s) => s.name === 'llm_call' || s.name === 'tool_execution');
    expect(children.filter((s) => s.name === 'llm_call')).toHaveLength(2);
    expect(children.filter((s) => s.name === 'tool_execution').map((s) => attr(s.attributes, 'tool_name'))).toEqual(['list_directory']);
    for (const span of children) expect(span.parentSpanId).toBe(agent!.spanId);

    const exported = received.map((r) => r.body).join('\n');
    expect(exported).not.toContain('sk-otlp-test');
    expect(exported).not.toContain('What is in my workspace');
  });
});
