import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { ChatOpenAICompletions, wrapOpenAIClientError, type ChatOpenAIFields } from '@langchain/openai';
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError, type OpenAI } from 'openai';

type CompletionRequest = OpenAI.Chat.ChatCompletionCreateParams;
type RequestOptions = OpenAI.RequestOptions;

/** What the SDK would send for a chat completion, captured once: URL and headers (auth, user agent, platform). */
interface WireTemplate {
  readonly url: URL;
  readonly headers: Record<string, string>;
}

// Request options the fast path does not reproduce; a call carrying one goes through the openai SDK unchanged.
const SDK_ONLY_OPTIONS = ['headers', 'query', 'timeout', 'fetchOptions', 'idempotencyKey', 'defaultBaseURL', 'path', 'body', 'method', '__binaryResponse', '__security'];

// One keep-alive pool per process and scheme, as undici's global dispatcher gave the SDK.
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

function headersOf(res: IncomingMessage): Headers {
  const headers = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  return headers;
}

async function textOf(res: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of res) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The SDK's `_request_id` (x-request-id), not enumerable, on a parsed body. */
function withRequestId<T>(value: T, res: IncomingMessage): T {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const id = res.headers['x-request-id'];
  return Object.defineProperty(value, '_request_id', { value: Array.isArray(id) ? id.join(', ') : (id ?? null), enumerable: false });
}

/** Server-sent events of a response body, as the openai SDK reads them (`data` lines joined by newlines). */
async function* sseEvents(res: IncomingMessage): AsyncGenerator<{ event: string | null; data: string }> {
  let buffer = '';
  let event: string | null = null;
  let data: string[] = [];
  res.setEncoding('utf8');
  for await (const part of res) {
    buffer += part as string;
    let newline: number;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (data.length || event !== null) yield { event, data: data.join('\n') };
        event = null;
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
  }
  if (data.length || event !== null) yield { event, data: data.join('\n') };
}

/** The SDK's chunk stream over SSE: `[DONE]` ends it, an `error` member is thrown as the SDK's APIError. */
async function* completionChunks(res: IncomingMessage, headers: Headers, stop: () => void): AsyncGenerator<OpenAI.Chat.Completions.ChatCompletionChunk> {
  let done = false;
  try {
    for await (const sse of sseEvents(res)) {
      if (done) continue;
      if (sse.data.startsWith('[DONE]')) {
        done = true;
        continue;
      }
      const data = JSON.parse(sse.data) as OpenAI.Chat.Completions.ChatCompletionChunk & { error?: unknown };
      if (data?.error) throw new APIError(undefined, data.error as object, undefined, headers);
      yield data;
    }
  } finally {
    // The consumer stopped early (or the stream ended): release the socket.
    stop();
  }
}

/** A reused keep-alive connection reset before the answer began (the server had closed it): safe to send again. */
class StaleSocketError extends Error {}

/**
 * ChatOpenAI's chat-completions half with the transport swapped: the request body is the one ChatOpenAI builds,
 * serialised as the SDK does (JSON.stringify), sent with the URL and headers the SDK would use (captured once from
 * the SDK itself), over node:http with a keep-alive agent instead of the SDK's fetch. Errors are the SDK's own
 * classes (status, error body, Headers for Retry-After; connection, timeout and abort errors), wrapped by
 * @langchain/openai as before, so retries, breaker, fallback and error mapping see what they saw. Why: per model
 * call, the SDK's request pipeline and undici's web streams cost several times the HTTP exchange itself.
 * Calls this path does not reproduce (per-call headers/query/timeout, `parse` of json_schema formats, a custom
 * fetch or provider) go through the SDK unchanged. Retries stay off here (maxRetries 0): resilience.ts owns them.
 */
export class HttpChatCompletions extends ChatOpenAICompletions {
  #template: Promise<WireTemplate | undefined> | undefined;

  constructor(fields: ChatOpenAIFields) {
    super({ ...fields, maxRetries: 0 });
  }

  override completionWithRetry(request: OpenAI.Chat.ChatCompletionCreateParamsStreaming, requestOptions?: RequestOptions): Promise<AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>>;
  override completionWithRetry(request: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, requestOptions?: RequestOptions): Promise<OpenAI.Chat.Completions.ChatCompletion>;
  override async completionWithRetry(request: CompletionRequest, requestOptions?: RequestOptions): Promise<AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk> | OpenAI.Chat.Completions.ChatCompletion> {
    const options = (requestOptions ?? {}) as Record<string, unknown>;
    const parseable = request.response_format?.type === 'json_schema' && !request.stream;
    const template = parseable || SDK_ONLY_OPTIONS.some((k) => options[k] !== undefined) ? undefined : await this.#wireTemplate();
    if (!template) return super.completionWithRetry(request as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, requestOptions);
    try {
      return await this.#send(template, request, requestOptions?.signal ?? undefined);
    } catch (e) {
      throw wrapOpenAIClientError(e);
    }
  }

  /** URL and headers of a chat completion as the SDK builds them; undefined when the SDK must send it itself. */
  #wireTemplate(): Promise<WireTemplate | undefined> {
    this.#template ??= (async () => {
      this._getClientOptions(undefined);
      const client = this.client as unknown as {
        fetch: unknown;
        _provider?: unknown;
        _workloadIdentityAuth?: unknown;
        buildRequest(o: Record<string, unknown>, r: { retryCount: number }): Promise<{ req: { headers: Headers }; url: string }>;
      };
      if (client._provider || client._workloadIdentityAuth || client.fetch !== globalThis.fetch) return undefined;
      const { req, url } = await client.buildRequest({ method: 'post', path: '/chat/completions', body: {} }, { retryCount: 0 });
      const headers: Record<string, string> = {};
      new Headers(req.headers).forEach((value, name) => (headers[name] = value));
      return { url: new URL(url), headers };
    })();
    return this.#template;
  }

  /** One request/response exchange; `fresh` opens a connection of its own instead of reusing one from the pool. */
  #exchange(template: WireTemplate, body: string, signal: AbortSignal | undefined, fresh: boolean): Promise<IncomingMessage> {
    const https = template.url.protocol === 'https:';
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(template.url, {
        method: 'POST',
        agent: fresh ? false : https ? agents.https : agents.http,
        headers: { ...template.headers, 'content-length': String(Buffer.byteLength(body)) },
      });
      // The SDK's timeout runs until the response headers arrive, as here.
      const timer = setTimeout(() => req.destroy(new APIConnectionTimeoutError()), this.timeout ?? 600_000);
      const onAbort = () => req.destroy(new APIUserAbortError());
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      req.once('response', (res) => {
        settle();
        if (signal) {
          // An abort while the body is read ends it with the SDK's abort error.
          const abortBody = () => res.destroy(new APIUserAbortError());
          signal.addEventListener('abort', abortBody, { once: true });
          res.once('close', () => signal.removeEventListener('abort', abortBody));
        }
        resolve(res);
      });
      req.once('error', (err: NodeJS.ErrnoException) => {
        settle();
        if (!fresh && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) reject(new StaleSocketError());
        else reject(err instanceof APIError ? err : new APIConnectionError({ cause: err }));
      });
      req.end(body);
    });
  }

  async #send(template: WireTemplate, request: CompletionRequest, signal: AbortSignal | undefined): Promise<AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk> | OpenAI.Chat.Completions.ChatCompletion> {
    if (signal?.aborted) throw new APIUserAbortError();
    const body = JSON.stringify(request);
    let res: IncomingMessage;
    try {
      res = await this.#exchange(template, body, signal, false);
    } catch (err) {
      // A pooled connection reset before any byte of answer is, almost always, one the server closed while idle (its
      // keep-alive timeout ran out as we picked it). Node's docs advise sending once more (`request.reusedSocket`):
      // on a new connection, once. Counted as a model failure, such races under load opened the breaker.
      if (!(err instanceof StaleSocketError)) throw err;
      res = await this.#exchange(template, body, signal, true);
    }
    if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode >= 300) {
      const text = await textOf(res).catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
      const json = safeJson(text);
      throw APIError.generate(res.statusCode, json as object | undefined, json === undefined ? text : undefined, headersOf(res));
    }
    if (request.stream) return completionChunks(res, headersOf(res), () => res.destroy());
    const text = await textOf(res);
    const contentType = res.headers['content-type'] ?? '';
    return withRequestId(contentType.includes('json') ? (JSON.parse(text) as OpenAI.Chat.Completions.ChatCompletion) : (text as never), res);
  }
}
