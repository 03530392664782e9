import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanStatusCode, trace, type ProxyTracerProvider } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createAgentFromConfig } from '../agent-factory.js';
import { loadConfig } from '../config.js';
import { startOpenAiStub, type OpenAiStub, type StubReply } from '../llm/openai-stub.js';
import { otlpTracesUrl, startSpan, startTracing, tracingEnabled, withSpan, type Tracing } from './tracing.js';

const SECRET_NOTE = 'launch code 0000-SECRET-NOTE';
const MESSAGE = 'Look at the workspace and ask the code executor to summarise notes.txt';

// The main agent lists the workspace and reads a missing file in one turn, then hands a subtask to a subagent.
const SCRIPT: StubReply[] = [
  {
    toolCalls: [
      { name: 'list_directory', args: { dir_path: '.' } },
      { name: 'read_file', args: { file_path: 'missing.txt' } },
    ],
  },
  { toolCalls: [{ name: 'task', args: { description: 'Summarise notes.txt', subagent_type: 'code-executor' } }] },
  { toolCalls: [{ name: 'read_file', args: { file_path: 'notes.txt' } }], usage: { prompt_tokens: 7, completion_tokens: 3 } },
  { content: 'notes.txt holds a launch code.' },
  { content: 'The workspace has notes.txt; it holds a launch code.' },
];

function byName(spans: readonly ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((s) => s.name === name);
}

describe('tracing', () => {
  let stub: OpenAiStub;
  let root: string;
  beforeAll(async () => {
    stub = await startOpenAiStub();
    root = await mkdtemp(join(tmpdir(), 'lm-trace-'));
  });
  afterAll(async () => {
    await stub?.close();
    await rm(root, { recursive: true, force: true });
  });

  const configFor = (env: Record<string, string> = {}) =>
    loadConfig({ OPENAI_BASE_URL: stub.url, OPENAI_API_KEY: 'sk-test', LLM_MODEL: 'stub-model', WORKSPACE_ROOT: root, ...env });

  it('is off without OTEL_EXPORTER_OTLP_ENDPOINT: no SDK, no provider, spans cost nothing', async () => {
    expect(await startTracing(configFor())).toBeUndefined();
    expect(tracingEnabled()).toBe(false);
    expect(startSpan('x')).toBeUndefined();
    expect(await withSpan('x', {}, async (span) => span)).toBeUndefined();
    expect((trace.getTracerProvider() as ProxyTracerProvider).getDelegate().constructor.name).toBe('NoopTracerProvider');

    stub.respond = () => ({ content: 'hello' });
    const result = await createAgentFromConfig(configFor()).run({ message: 'hi' });
    expect(result.answer).toBe('hello');
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it.each([
    ['http://jaeger:4318', 'http://jaeger:4318/v1/traces'],
    ['http://jaeger:4318/', 'http://jaeger:4318/v1/traces'],
    ['http://collector/otlp/v1/traces', 'http://collector/otlp/v1/traces'],
  ])('sends OTLP/HTTP to %s as %s', (endpoint, url) => {
    expect(otlpTracesUrl(endpoint)).toBe(url);
  });

  describe('with an in-memory exporter', () => {
    let exporter: InMemorySpanExporter;
    let tracing: Tracing | undefined;
    beforeEach(async () => {
      exporter = new InMemorySpanExporter();
      tracing = await startTracing(configFor(), { exporter });
    });
    afterEach(async () => {
      await tracing?.shutdown();
      expect(tracingEnabled()).toBe(false);
    });

    it('puts every LLM call and tool call of a run, subagents included, under agent_execution', async () => {
      await writeFile(join(root, 'notes.txt'), SECRET_NOTE);
      stub.respond = (_request, n) => SCRIPT[n] ?? { content: 'unexpected extra call' };
      stub.requests.length = 0;
      const result = await createAgentFromConfig(configFor()).run({ threadId: 'trace-1', message: MESSAGE, workspaceRoot: root });
      expect(result.status).toBe('completed');
      await tracing!.forceFlush();
      const spans = exporter.getFinishedSpans();

      const [agentSpan, ...others] = byName(spans, 'agent_execution');
      expect(others).toHaveLength(0);
      expect(agentSpan!.parentSpanContext).toBeUndefined();
      expect(agentSpan!.attributes).toMatchObject({
        thread_id: 'trace-1',
        run_id: result.runId,
        input_length: MESSAGE.length,
        status: 'completed',
        input_tokens: result.usage.inputTokens,
        output_tokens: result.usage.outputTokens,
        tokens: result.usage.inputTokens + result.usage.outputTokens,
        tool_calls: 3,
      });

      const llmCalls = byName(spans, 'llm_call');
      const toolCalls = byName(spans, 'tool_execution');
      expect(llmCalls).toHaveLength(5);
      expect(toolCalls.map((s) => s.attributes.tool_name).sort()).toEqual(['list_directory', 'read_file', 'read_file']);
      const agentId = agentSpan!.spanContext().spanId;
      for (const span of [...llmCalls, ...toolCalls]) {
        expect(span.spanContext().traceId).toBe(agentSpan!.spanContext().traceId);
        expect(span.parentSpanContext?.spanId).toBe(agentId);
      }
      expect(llmCalls[0]!.attributes).toMatchObject({ provider: expect.any(String), model: 'stub-model', endpoint: 'primary', status: 'success', attempts: 1, input_tokens: 10, output_tokens: 5 });
      expect(llmCalls.some((s) => s.attributes.input_tokens === 7)).toBe(true);

      // The subagent's read of notes.txt succeeded; the main agent's read of missing.txt is an ERROR span with its code.
      const [failed, ...rest] = toolCalls.filter((s) => s.status.code === SpanStatusCode.ERROR);
      expect(rest).toHaveLength(0);
      expect(failed!.attributes).toMatchObject({ tool_name: 'read_file', status: 'error', error: true });
      expect(String(failed!.attributes['error.code'])).toMatch(/^AGT_ERR_|not_found|tool_error/i);
      const ok = toolCalls.find((s) => s.attributes.tool_name === 'read_file' && s.status.code !== SpanStatusCode.ERROR);
      expect(ok!.attributes).toMatchObject({ status: 'success', error: false });
      expect(typeof ok!.attributes.duration_ms).toBe('number');

      // Nothing the user wrote or a tool returned rides along in an attribute.
      const attributes = JSON.stringify(spans.map((s) => s.attributes));
      expect(attributes).not.toContain('SECRET');
      expect(attributes).not.toContain('summarise');
      expect(attributes).not.toContain('sk-test');
    });

    it('marks a failed model call and its run ERROR with the error code', async () => {
      stub.respond = () => ({ status: 400 });
      const agent = createAgentFromConfig(configFor({ LLM_MAX_ATTEMPTS: '1' }));
      await expect(agent.run({ threadId: 'trace-2', message: 'hi' })).rejects.toThrow();
      await tracing!.forceFlush();
      const spans = exporter.getFinishedSpans();
      const [agentSpan] = byName(spans, 'agent_execution');
      const [llm] = byName(spans, 'llm_call');
      expect(agentSpan!.status.code).toBe(SpanStatusCode.ERROR);
      expect(agentSpan!.attributes['error.code']).toBeTruthy();
      expect(llm!.parentSpanContext?.spanId).toBe(agentSpan!.spanContext().spanId);
      expect(llm!.status.code).toBe(SpanStatusCode.ERROR);
      expect(llm!.attributes).toMatchObject({ status: 'error', 'error.code': 'HTTP_400', error: true });
    });
  });
});
