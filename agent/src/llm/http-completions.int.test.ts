import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { HumanMessage, AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { afterEach, describe, expect, it } from 'vitest';
import { createEndpointModel } from './endpoint.js';

// The fast transport (HttpChatCompletions) against the openai SDK it replaces, both talking to one recording server:
// the same request on the wire, the same answers, the same error classes.

interface Seen {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

type Reply = (seen: Seen) => { status: number; headers?: Record<string, string>; body: string };

let server: Server | undefined;

async function stop(): Promise<void> {
  const current = server;
  server = undefined;
  if (!current) return;
  current.closeAllConnections();
  await new Promise((done) => current.close(done));
}

afterEach(stop);

async function recording(reply: Reply): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (p: Buffer) => parts.push(p));
    req.on('end', () => {
      const one = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(parts).toString('utf8') };
      seen.push(one);
      const { status, headers, body } = reply(one);
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
    });
  });
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/v1`, seen };
}

const completion = (content: string, toolCalls?: unknown[]) =>
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content, ...(toolCalls ? { tool_calls: toolCalls } : {}) }, finish_reason: toolCalls ? 'tool_calls' : 'stop' }],
    usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
  });

const sse = (events: unknown[]) => events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n';

// Both clients: ours (createEndpointModel) and the SDK path (a plain ChatOpenAI with the same fields).
function clients(url: string) {
  const endpoint = { baseUrl: url, apiKey: 'sk-test', model: 'm' };
  const ours = createEndpointModel(endpoint, { temperature: 0.2, timeoutMs: 5_000 });
  const sdk = new ChatOpenAI({ model: 'm', apiKey: 'sk-test', configuration: { baseURL: url }, temperature: 0.2, timeout: 6_000, maxRetries: 0, streamUsage: true, useResponsesApi: false });
  return { ours, sdk };
}

// Headers a transport adds by itself (undici's fetch vs node:http): not part of what the SDK decides to send.
const TRANSPORT_HEADERS = new Set(['connection', 'content-length', 'accept-encoding', 'accept-language', 'sec-fetch-mode', 'host']);
const decided = (h: IncomingHttpHeaders) => Object.fromEntries(Object.entries(h).filter(([k]) => !TRANSPORT_HEADERS.has(k)));

const messages: BaseMessage[] = [new HumanMessage('List the files')];
const tools = [{ type: 'function' as const, function: { name: 'list_directory', description: 'List', parameters: { type: 'object', properties: { dir_path: { type: 'string' } } } } }];

describe('HttpChatCompletions', () => {
  it('sends the request the openai SDK sends (path, body bytes, headers) and parses the answer the same way', async () => {
    const { url, seen } = await recording(() => ({ status: 200, headers: { 'x-request-id': 'req-1' }, body: completion('', [{ id: 'call_1', type: 'function', function: { name: 'list_directory', arguments: '{"dir_path":"."}' } }]) }));
    const { ours, sdk } = clients(url);
    const a = await ours.bindTools(tools).invoke(messages);
    const b = await sdk.bindTools(tools).invoke(messages);
    expect(seen).toHaveLength(2);
    expect(seen[0]!.path).toBe(seen[1]!.path);
    expect(seen[0]!.body).toBe(seen[1]!.body);
    expect(decided(seen[0]!.headers)).toEqual(decided(seen[1]!.headers));
    expect(seen[0]!.headers.authorization).toBe('Bearer sk-test');
    // The twin: the requests did take two transports (undici's fetch marks its own), so the equality above means something.
    expect([seen[0]!.headers['sec-fetch-mode'], seen[1]!.headers['sec-fetch-mode']]).toEqual([undefined, 'cors']);
    expect(a.tool_calls).toEqual(b.tool_calls);
    expect(a.usage_metadata).toEqual(b.usage_metadata);
    expect(a.response_metadata).toEqual(b.response_metadata);
  });

  it('streams the same chunks, tool call and usage', async () => {
    const chunk = (delta: object, finish: string | null = null) => ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });
    const body = sse([chunk({ role: 'assistant', content: '' }), chunk({ content: 'Hel' }), chunk({ content: 'lo' }), chunk({}, 'stop'), { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 } }]);
    const { url, seen } = await recording(() => ({ status: 200, headers: { 'content-type': 'text/event-stream' }, body }));
    const { ours, sdk } = clients(url);
    const collect = async (m: ChatOpenAI) => {
      let all: AIMessageChunk | undefined;
      for await (const c of await m.stream(messages)) all = all ? all.concat(c) : c;
      return all!;
    };
    const a = await collect(ours);
    const b = await collect(sdk);
    expect(seen[0]!.body).toBe(seen[1]!.body);
    expect(a.content).toBe('Hello');
    expect(a.content).toBe(b.content);
    expect(a.usage_metadata).toEqual(b.usage_metadata);
  });

  it('throws the SDK error class of an HTTP refusal, with its status, body and Retry-After headers', async () => {
    const { url } = await recording(() => ({ status: 429, headers: { 'retry-after': '2' }, body: JSON.stringify({ error: { message: 'slow down', type: 'rate_limit', code: 'rate_limited' } }) }));
    const { ours, sdk } = clients(url);
    const a = (await ours.invoke(messages).catch((e: unknown) => e)) as Record<string, unknown> & Error & { headers: Headers };
    const b = (await sdk.invoke(messages).catch((e: unknown) => e)) as Record<string, unknown> & Error & { headers: Headers };
    expect(a.constructor.name).toBe('RateLimitError');
    expect(a.constructor.name).toBe(b.constructor.name);
    expect([a.status, a.message, a.error, a.code]).toEqual([b.status, b.message, b.error, b.code]);
    expect(a.headers).toBeInstanceOf(Headers);
    expect(a.headers.get('retry-after')).toBe('2');
  });

  it('throws the SDK connection error when nothing listens, and an AbortError when the caller aborts', async () => {
    const { url } = await recording(() => ({ status: 200, body: completion('late') }));
    await stop();
    const { ours, sdk } = clients(url);
    const a = (await ours.invoke(messages).catch((e: unknown) => e)) as Error;
    const b = (await sdk.invoke(messages).catch((e: unknown) => e)) as Error;
    expect(a.constructor.name).toBe('APIConnectionError');
    expect(a.constructor.name).toBe(b.constructor.name);
    expect((a.cause as { code?: string }).code).toBe('ECONNREFUSED');

    const aborted = (await ours.invoke(messages, { signal: AbortSignal.abort() }).catch((e: unknown) => e)) as Error;
    expect(aborted.name).toMatch(/Abort/);
  });

  describe('a keep-alive connection the server closed', () => {
    // A raw server: each connection answers its first `answered` requests, then resets (RST) on the next one.
    async function resetting(answered: number): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
      const sockets = new Set<Socket>();
      let connections = 0;
      const tcp = createTcpServer((socket) => {
        connections += 1;
        sockets.add(socket);
        let buffer = '';
        let served = 0;
        socket.on('data', (chunk: Buffer) => {
          buffer += chunk.toString('utf8');
          for (;;) {
            const end = buffer.indexOf('\r\n\r\n');
            const length = Number(/content-length: *(\d+)/i.exec(buffer.slice(0, end))?.[1] ?? 0);
            if (end < 0 || buffer.length < end + 4 + length) return;
            buffer = buffer.slice(end + 4 + length);
            if (served === answered) return void socket.resetAndDestroy();
            served += 1;
            const body = completion(`answer ${connections}.${served}`);
            socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: keep-alive\r\n\r\n${body}`);
          }
        });
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {});
      });
      await new Promise<void>((done) => tcp.listen(0, '127.0.0.1', done));
      return {
        url: `http://127.0.0.1:${(tcp.address() as AddressInfo).port}/v1`,
        connections: () => connections,
        close: async () => {
          for (const s of sockets) s.destroy();
          await new Promise((done) => tcp.close(done));
        },
      };
    }

    it('sends the request once more on a new connection when the reused one is reset', async () => {
      const server = await resetting(1);
      try {
        const { ours } = clients(server.url);
        expect((await ours.invoke(messages)).content).toBe('answer 1.1');
        // The pooled connection is reset on its second request: answered on a second connection, no error.
        expect((await ours.invoke(messages)).content).toBe('answer 2.1');
        expect(server.connections()).toBe(2);
      } finally {
        await server.close();
      }
    });

    it('a reset on a new connection is not sent again: the SDK connection error, as before', async () => {
      const never = await resetting(0);
      try {
        const { ours } = clients(never.url);
        const error = (await ours.invoke(messages).catch((e: unknown) => e)) as Error;
        expect(error.constructor.name).toBe('APIConnectionError');
        // Not a reused socket: no second try.
        expect(never.connections()).toBe(1);
      } finally {
        await never.close();
      }
    });
  });
});
