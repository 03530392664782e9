import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Cassette, type CassetteInput, type ScriptInput, loadCassettes as readCassettes, parseCassette, writeCassetteFile } from './cassette.js';
import { SimBadRequestError, SimCassetteInvalidError, SimFaultInjectedError, SimNoCassetteError, SimUpstreamFailedError } from './errors.js';
import { type Faults, type FaultsInput, FaultsSchema, seededRandom } from './faults.js';
import { conversationKey, conversationOf } from './keying.js';
import {
  type Answer,
  type ChatRequest,
  type ResponseMessage,
  ChatRequestSchema,
  completionBody,
  completionId,
  completionTokens,
  errorBody,
  estimateTokens,
  finishReasonOf,
  messageFromTurn,
  promptTokens,
  streamChunks,
  upstreamMessage,
} from './protocol.js';
import { type Recorder, createRecorder } from './recorder.js';
import { type CassetteSummary, CassetteStore } from './store.js';

/** Proxy mode: forward every completion to a real endpoint and write what it said as a cassette. */
export interface RecordOptions {
  /** Base URL of the real endpoint, ending in /v1 (e.g. https://api.openai.com/v1). */
  upstream: string;
  /** Cassette file to (re)write after every turn; .yaml/.yml or .json. */
  file: string;
  /** Cassette id; defaults to 'recorded'. */
  id?: string;
  /** Sent upstream as the bearer token; without it the client's own Authorization header is forwarded. */
  apiKey?: string;
}

export type CassetteSource = Cassette | CassetteInput | ScriptInput | readonly (Cassette | CassetteInput | ScriptInput)[] | string | readonly string[];

export interface SimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Cassette objects, scripts, or file/directory paths. */
  cassettes?: CassetteSource;
  faults?: FaultsInput;
  record?: RecordOptions;
}

export interface SimStats {
  /** Chat-completion requests received. */
  requests: number;
  /** Chat completions answered with 200. */
  served: number;
  streamed: number;
  misses: number;
  badRequests: number;
  recorded: number;
  upstreamErrors: number;
  faults: { errors: number; failNext: number; hangs: number; cutStreams: number; delayed: number };
  tokens: { prompt: number; completion: number };
  inFlight: number;
  byCassette: Record<string, number>;
}

export interface Simulator {
  /** Base URL for OpenAI clients, ending in /v1. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** Replaces all faults (setFaults({}) clears them) and lifts a hang unless the new faults hang too. */
  setFaults(faults: FaultsInput): void;
  faults(): Faults;
  /** Objects load synchronously (before the promise settles); paths are read asynchronously. Same ids replace. */
  loadCassettes(source: CassetteSource): Promise<string[]>;
  cassettes(): CassetteSummary[];
  /** Unloads every cassette and clears every fault (stats are kept; see resetStats). */
  clear(): void;
  stats(): SimStats;
  resetStats(): void;
  close(): Promise<void>;
}

const MAX_BODY = 32 * 1024 * 1024;

function emptyStats(): SimStats {
  return {
    requests: 0,
    served: 0,
    streamed: 0,
    misses: 0,
    badRequests: 0,
    recorded: 0,
    upstreamErrors: 0,
    faults: { errors: 0, failNext: 0, hangs: 0, cutStreams: 0, delayed: 0 },
    tokens: { prompt: 0, completion: 0 },
    inFlight: 0,
    byCassette: {},
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new SimBadRequestError(`body larger than ${MAX_BODY} bytes`);
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts).toString('utf8');
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new SimBadRequestError(`body is not JSON: ${(err as Error).message}`);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

interface CodedError {
  code: string;
  message: string;
  statusCode?: number;
}

function sendError(res: ServerResponse, err: CodedError, status = err.statusCode ?? 500, headers: Record<string, string> = {}): void {
  sendJson(res, status, errorBody(err.message, err.code, status), headers);
}

function isCoded(err: unknown): err is CodedError {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' && 'message' in err;
}

function zodMessage(err: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return err.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
}

/**
 * Starts the OpenAI-compatible model simulator on 127.0.0.1 (port 0 = a free port).
 *
 * @example
 *   const sim = await startSimulator({ cassettes: 'datasets/cassettes' });
 *   const client = new OpenAI({ baseURL: sim.url, apiKey: 'sim' });
 *   await sim.close();
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1';
  const store = new CassetteStore();
  let faults: Faults = FaultsSchema.parse(options.faults ?? {});
  let random = seededRandom(faults.seed);
  let failNext = faults.failNext;
  let stats = emptyStats();
  let closed = false;
  const hanging = new Set<() => void>();
  const recorder: Recorder | undefined = options.record ? createRecorder({ id: options.record.id ?? 'recorded' }) : undefined;
  let writes = Promise.resolve();

  const releaseHangs = (): void => {
    for (const release of hanging) release();
    hanging.clear();
  };

  const setFaults = (input: FaultsInput): void => {
    faults = FaultsSchema.parse(input);
    random = seededRandom(faults.seed);
    failNext = faults.failNext;
    if (!faults.hang) releaseHangs();
  };

  const loadCassettes = (source: CassetteSource): Promise<string[]> => {
    const list = typeof source === 'string' || Array.isArray(source) ? (source as readonly unknown[] | string) : [source];
    if (typeof list === 'string' || list.every((x) => typeof x === 'string')) {
      return readCassettes(list as string | string[]).then((cs) => store.load(cs));
    }
    try {
      return Promise.resolve(store.load(list.map((c, i) => parseCassette(c, `cassettes[${i}]`))));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  };

  const clear = (): void => {
    store.clear();
    setFaults({});
  };

  const injectFault = (res: ServerResponse, why: string): void => {
    stats.faults.errors += 1;
    const headers: Record<string, string> = {};
    if (faults.retryAfterMs !== undefined) {
      headers['retry-after-ms'] = String(faults.retryAfterMs);
      headers['retry-after'] = String(Math.ceil(faults.retryAfterMs / 1000));
    }
    sendError(res, new SimFaultInjectedError(why), faults.errorStatus, headers);
  };

  const forward = async (req: IncomingMessage, body: ChatRequest): Promise<{ message: ResponseMessage; usage?: Answer['usage'] } | { status: number; text: string }> => {
    const rec = options.record!;
    const { stream: _stream, stream_options: _opts, ...rest } = body;
    const auth = rec.apiKey ? `Bearer ${rec.apiKey}` : req.headers.authorization;
    let r: Response;
    try {
      r = await fetch(`${rec.upstream.replace(/\/+$/, '')}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
        body: JSON.stringify({ ...rest, stream: false }),
      });
    } catch (err) {
      throw new SimUpstreamFailedError((err as Error).message);
    }
    const text = await r.text();
    if (!r.ok) return { status: r.status, text };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new SimUpstreamFailedError(`upstream answered ${r.status} with a body that is not JSON`);
    }
    const m = upstreamMessage(json);
    if (!m) throw new SimUpstreamFailedError('upstream completion has no choices[0].message');
    recorder!.recordTurn(body.messages, m);
    stats.recorded += 1;
    const cassette = recorder!.cassette();
    const write = writes.then(() => writeCassetteFile(rec.file, cassette));
    // One failed write must not poison the chain for later turns.
    writes = write.catch(() => undefined);
    await write;
    const calls = (m.tool_calls ?? []).map((c, i) => ({
      id: (c as { id?: string }).id ?? `call_rec${i}${Date.now().toString(36)}`,
      type: 'function' as const,
      function: { name: c.function.name, arguments: c.function.arguments },
    }));
    const message: ResponseMessage = { role: 'assistant', content: m.content, refusal: null, ...(calls.length ? { tool_calls: calls } : {}) };
    const usage = (json as { usage?: Answer['usage'] }).usage;
    return { message, ...(usage ? { usage } : {}) };
  };

  /** Drops the connection once what was written has reached the socket, so the client really sees a partial answer. */
  const cut = async (res: ServerResponse): Promise<false> => {
    stats.faults.cutStreams += 1;
    await new Promise<void>((resolve) => res.write('', () => resolve()));
    await sleep(5);
    res.destroy();
    return false;
  };

  /** Resolves true when the whole answer went out. */
  const writeStream = async (res: ServerResponse, answer: Answer, includeUsage: boolean, f: Faults): Promise<boolean> => {
    const chunks = streamChunks(answer, includeUsage);
    const cutAt = f.cutStream === true ? Math.max(1, Math.floor(chunks.length / 2)) : f.cutStream === false ? Infinity : f.cutStream;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...headersOf(answer) });
    res.flushHeaders();
    if (f.ttftMs) await sleep(f.ttftMs);
    let owedMs = 0;
    for (let i = 0; i < chunks.length; i += 1) {
      if (res.destroyed) return false;
      if (i >= cutAt) return cut(res);
      if (f.tokensPerSecond > 0 && i > 0) {
        owedMs += (estimateTokens(JSON.stringify((chunks[i] as { choices: { delta?: unknown }[] }).choices[0]?.delta ?? '')) / f.tokensPerSecond) * 1000;
        if (owedMs >= 5) {
          await sleep(owedMs);
          owedMs = 0;
        }
      }
      res.write(`data: ${JSON.stringify(chunks[i])}\n\n`);
    }
    if (cutAt !== Infinity) return cut(res);
    res.end('data: [DONE]\n\n');
    return true;
  };

  const headerState = new WeakMap<Answer, Record<string, string>>();
  const headersOf = (a: Answer): Record<string, string> => headerState.get(a) ?? {};

  const writeJson = async (res: ServerResponse, answer: Answer, f: Faults): Promise<boolean> => {
    const wait = f.ttftMs + (f.tokensPerSecond > 0 ? (answer.usage.completion_tokens / f.tokensPerSecond) * 1000 : 0);
    if (wait > 0) await sleep(wait);
    const text = JSON.stringify(completionBody(answer));
    if (f.cutStream !== false) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headersOf(answer) });
      res.write(text.slice(0, Math.floor(text.length / 2)));
      return cut(res);
    }
    if (res.destroyed) return false;
    sendJson(res, 200, JSON.parse(text), headersOf(answer));
    return true;
  };

  const chat = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    stats.requests += 1;
    const parsed = ChatRequestSchema.safeParse(await readJson(req));
    if (!parsed.success) {
      stats.badRequests += 1;
      sendError(res, new SimBadRequestError(zodMessage(parsed.error)));
      return;
    }
    const body = parsed.data;
    if (faults.hang) {
      stats.faults.hangs += 1;
      await new Promise<void>((resolve) => {
        hanging.add(resolve);
        res.on('close', () => {
          hanging.delete(resolve);
          resolve();
        });
      });
      if (closed || res.destroyed) return;
    }
    const f = faults;
    if (f.latencyMs > 0) {
      stats.faults.delayed += 1;
      await sleep(f.latencyMs);
      if (res.destroyed) return;
    }
    if (failNext > 0) {
      failNext -= 1;
      stats.faults.failNext += 1;
      injectFault(res, `failNext, ${failNext} left`);
      return;
    }
    if (f.errorRate > 0 && random() < f.errorRate) {
      injectFault(res, `errorRate ${f.errorRate}`);
      return;
    }
    const conv = conversationOf(body.messages);
    const created = Math.floor(Date.now() / 1000);
    let message: ResponseMessage;
    let usage: Answer['usage'] | undefined;
    let finish: string | undefined;
    const headers: Record<string, string> = { 'x-sim-key': conversationKey(conv) };
    if (recorder) {
      const out = await forward(req, body);
      if ('status' in out) {
        stats.upstreamErrors += 1;
        res.writeHead(out.status, { 'content-type': 'application/json' });
        res.end(out.text);
        return;
      }
      ({ message } = out);
      usage = out.usage;
      headers['x-sim-cassette'] = 'recording';
    } else {
      const header = req.headers['x-sim-cassette'];
      const only = typeof header === 'string' ? header : body.model.startsWith('cassette:') ? body.model.slice('cassette:'.length) : undefined;
      const found = store.lookup(conv, only);
      if ('miss' in found) {
        stats.misses += 1;
        sendError(res, new SimNoCassetteError(found.miss));
        return;
      }
      const { hit } = found;
      message = messageFromTurn(hit.response);
      finish = hit.response.finish_reason;
      if (hit.response.usage) usage = { ...hit.response.usage, total_tokens: hit.response.usage.prompt_tokens + hit.response.usage.completion_tokens };
      headers['x-sim-cassette'] = `${hit.cassette.id}#${hit.thread}.${hit.turn}`;
      stats.byCassette[hit.cassette.id] = (stats.byCassette[hit.cassette.id] ?? 0) + 1;
    }
    const prompt = promptTokens(body.messages);
    const completion = completionTokens(message);
    const answer: Answer = {
      id: completionId(),
      created,
      model: body.model,
      message,
      finishReason: finishReasonOf(message, finish),
      usage: usage ?? { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
    };
    headers['x-request-id'] = answer.id;
    headerState.set(answer, headers);
    stats.tokens.prompt += answer.usage.prompt_tokens;
    stats.tokens.completion += answer.usage.completion_tokens;
    if (body.stream) stats.streamed += 1;
    const complete = body.stream ? await writeStream(res, answer, body.stream_options?.include_usage === true, f) : await writeJson(res, answer, f);
    if (complete) stats.served += 1;
  };

  const models = (): object => ({
    object: 'list',
    data: [
      { id: 'sim', object: 'model', created: 0, owned_by: 'luminamind-sim' },
      ...store.list().map((c) => ({ id: `cassette:${c.id}`, object: 'model', created: 0, owned_by: 'luminamind-sim' })),
    ],
  });

  const admin = async (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> => {
    const route = `${req.method} ${path}`;
    switch (route) {
      case 'GET /_admin/cassettes':
        return sendJson(res, 200, { cassettes: store.list() });
      case 'POST /_admin/cassettes': {
        const body = await readJson(req);
        if (query.get('replace') === 'true' || query.get('replace') === '1') store.clear();
        const source = body && typeof body === 'object' && 'path' in body ? (body.path as string | string[]) : body && typeof body === 'object' && 'cassettes' in body ? (body.cassettes as CassetteSource) : (body as CassetteSource);
        const loaded = await loadCassettes(source).catch((err: unknown) => {
          throw err instanceof SimCassetteInvalidError ? err : new SimBadRequestError(`cannot load cassettes: ${(err as Error).message}`);
        });
        return sendJson(res, 200, { loaded, cassettes: store.list() });
      }
      case 'DELETE /_admin/cassettes':
        store.clear();
        return sendJson(res, 200, { cassettes: [] });
      case 'GET /_admin/faults':
        return sendJson(res, 200, { faults, failNextRemaining: failNext });
      case 'POST /_admin/faults':
      case 'PUT /_admin/faults': {
        const parsed = FaultsSchema.safeParse(await readJson(req));
        if (!parsed.success) return sendError(res, new SimBadRequestError(zodMessage(parsed.error)));
        setFaults(parsed.data);
        return sendJson(res, 200, { faults });
      }
      case 'DELETE /_admin/faults':
        setFaults({});
        return sendJson(res, 200, { faults });
      case 'GET /_admin/stats':
        return sendJson(res, 200, { ...stats, inFlight: stats.inFlight });
      case 'DELETE /_admin/stats':
        stats = { ...emptyStats(), inFlight: stats.inFlight };
        return sendJson(res, 200, stats);
      case 'POST /_admin/clear':
        clear();
        return sendJson(res, 200, { cassettes: [], faults });
      default:
        return sendError(res, new SimBadRequestError(`unknown admin route ${route}`), 404);
    }
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path.startsWith('/_admin/')) return admin(req, res, path, url.searchParams);
    if (req.method === 'GET' && path === '/health') return sendJson(res, 200, { status: 'ok', cassettes: store.list().length, mode: recorder ? 'record' : 'replay' });
    if (req.method === 'POST' && (path === '/v1/chat/completions' || path === '/chat/completions')) {
      stats.inFlight += 1;
      try {
        return await chat(req, res);
      } finally {
        stats.inFlight -= 1;
      }
    }
    if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) return sendJson(res, 200, models());
    const model = /^\/(?:v1\/)?models\/(.+)$/.exec(path);
    if (req.method === 'GET' && model) return sendJson(res, 200, { id: decodeURIComponent(model[1]!), object: 'model', created: 0, owned_by: 'luminamind-sim' });
    return sendError(res, new SimBadRequestError(`no route ${req.method} ${path}`), 404);
  };

  const server: Server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (isCoded(err) && (err instanceof SimBadRequestError || err instanceof SimCassetteInvalidError || err instanceof SimUpstreamFailedError)) {
        if (err instanceof SimBadRequestError) stats.badRequests += 1;
        if (err instanceof SimUpstreamFailedError) stats.upstreamErrors += 1;
        sendError(res, err);
        return;
      }
      sendError(res, { code: 'EVL_ERR_SIM_BAD_REQUEST', message: err instanceof Error ? err.message : String(err) }, 500);
    });
  });
  server.keepAliveTimeout = 5_000;

  if (options.cassettes !== undefined) await loadCassettes(options.cassettes);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}/v1`,
    port,
    host,
    setFaults,
    faults: () => faults,
    loadCassettes,
    cassettes: () => store.list(),
    clear,
    stats: () => structuredClone(stats),
    resetStats: () => {
      stats = { ...emptyStats(), inFlight: stats.inFlight };
    },
    close: async () => {
      if (closed) return;
      closed = true;
      releaseHangs();
      await writes;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
