import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the stub does with one request. Test support for the llm tests: real HTTP on 127.0.0.1, no SDK mocking. */
export interface StubReply {
  readonly status?: number;
  readonly delayMs?: number;
  /** Never answer (until the stub closes): exercises timeouts. */
  readonly hang?: boolean;
  readonly content?: string;
  readonly toolCalls?: ReadonlyArray<{ readonly name: string; readonly args: Record<string, unknown> }>;
  readonly usage?: { readonly prompt_tokens: number; readonly completion_tokens: number };
  /** Streaming only: drop the connection after this many SSE chunks. */
  readonly truncateAfter?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface StubRequest {
  readonly model: string;
  readonly stream: boolean;
  readonly body: Record<string, unknown>;
}

export interface OpenAiStub {
  /** Base URL to use as OPENAI_BASE_URL (ends in /v1). */
  readonly url: string;
  readonly requests: StubRequest[];
  /** Decides each reply; `n` counts requests from 0. Replace it at any time. */
  respond: (request: StubRequest, n: number) => StubReply;
  close(): Promise<void>;
}

const DEFAULT_USAGE = { prompt_tokens: 10, completion_tokens: 5 };

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8') || '{}') as Record<string, unknown>;
}

function toolCallsOf(reply: StubReply, id: string) {
  return (reply.toolCalls ?? []).map((t, i) => ({
    id: `call_${id}_${i}`,
    type: 'function' as const,
    function: { name: t.name, arguments: JSON.stringify(t.args) },
  }));
}

export async function startOpenAiStub(respond: OpenAiStub['respond'] = () => ({})): Promise<OpenAiStub> {
  let seq = 0;
  const requests: StubRequest[] = [];
  const stub: OpenAiStub = {
    url: '',
    requests,
    respond,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'not found' } }));
      return;
    }
    const body = await readJson(req);
    const request: StubRequest = { model: String(body.model), stream: body.stream === true, body };
    const n = requests.length;
    requests.push(request);
    const reply = stub.respond(request, n);
    if (reply.hang) return;
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (res.destroyed) return;
    const status = reply.status ?? 200;
    if (status !== 200) {
      res
        .writeHead(status, { 'content-type': 'application/json', ...reply.headers })
        .end(JSON.stringify({ error: { message: `stub error ${status}`, type: 'stub_error', code: String(status) } }));
      return;
    }
    const id = `chatcmpl-stub-${++seq}`;
    const created = Math.floor(Date.now() / 1000);
    const toolCalls = toolCallsOf(reply, String(seq));
    const content = reply.content ?? (toolCalls.length ? '' : 'hello from the stub');
    const usage = reply.usage ?? DEFAULT_USAGE;
    const usageBody = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
    const finish = toolCalls.length ? 'tool_calls' : 'stop';
    if (!request.stream) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model: request.model,
          choices: [
            { index: 0, message: { role: 'assistant', content, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) }, finish_reason: finish },
          ],
          usage: usageBody,
        }),
      );
      return;
    }
    const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model: request.model,
      choices: [{ index: 0, delta, finish_reason: finishReason }],
    });
    const events: unknown[] = [chunk({ role: 'assistant', content: '' })];
    for (const word of content.match(/\S+\s*/g) ?? []) events.push(chunk({ content: word }));
    toolCalls.forEach((call, index) => events.push(chunk({ tool_calls: [{ index, ...call }] })));
    events.push(chunk({}, finish));
    const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
    if (streamOptions?.include_usage) events.push({ id, object: 'chat.completion.chunk', created, model: request.model, choices: [], usage: usageBody });
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const [i, event] of events.entries()) {
      if (reply.truncateAfter !== undefined && i >= reply.truncateAfter) {
        res.destroy();
        return;
      }
      res.write(`data: ${JSON.stringify(event)}\n\n`);
      await new Promise((r) => setImmediate(r));
    }
    res.end('data: [DONE]\n\n');
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (stub as { url: string }).url = `http://127.0.0.1:${port}/v1`;
  return stub;
}
