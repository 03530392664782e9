import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { registerAdminRoutes } from './admin-routes.js';
import { SimBadRequestError, SimCassetteInvalidError, SimFaultInjectedError, SimNoCassetteError, SimUpstreamFailedError } from './errors.js';
import { conversationKey, conversationOf } from './keying.js';
import {
  type Answer,
  type ResponseMessage,
  ChatRequestSchema,
  completionId,
  completionTokens,
  finishReasonOf,
  messageFromTurn,
  promptTokens,
} from './protocol.js';
import type { RecordingProxy } from './proxy.js';
import { type CodedError, sendError, sendJson, zodMessage } from './replies.js';
import type { SimState } from './state.js';
import { writeJson, writeStream } from './stream.js';

const MAX_BODY = 32 * 1024 * 1024;

function pathOf(url: string): string {
  return new URL(url, 'http://sim').pathname.replace(/\/+$/, '') || '/';
}

/** The held request's reply is given up on (client gone or simulator closing): nothing more is written. */
function abandon(reply: FastifyReply): void {
  reply.hijack();
  if (!reply.raw.writableEnded) reply.raw.destroy();
}

function chatRoute(app: FastifyInstance, state: SimState, proxy: RecordingProxy | undefined): void {
  const answerFor = async (request: FastifyRequest, reply: FastifyReply, body: ReturnType<typeof ChatRequestSchema.parse>): Promise<{ message: ResponseMessage; usage?: Answer['usage']; finish?: string; headers: Record<string, string> } | undefined> => {
    const headers: Record<string, string> = { 'x-sim-key': conversationKey(conversationOf(body.messages)) };
    if (proxy) {
      const out = await proxy.forward(body, request.headers.authorization);
      if ('status' in out) {
        state.stats.upstreamErrors += 1;
        // Upstream HTTP errors pass through unchanged, body and status.
        reply.code(out.status).type('application/json').send(out.text);
        return undefined;
      }
      return { message: out.message, ...(out.usage ? { usage: out.usage } : {}), headers: { ...headers, 'x-sim-cassette': 'recording' } };
    }
    const header = request.headers['x-sim-cassette'];
    const only = typeof header === 'string' ? header : body.model.startsWith('cassette:') ? body.model.slice('cassette:'.length) : undefined;
    const found = state.store.lookup(conversationOf(body.messages), only);
    if ('miss' in found) {
      state.stats.misses += 1;
      // The nearest thread rides in the body too, so a service in front can pass it on without parsing the message.
      sendError(reply, new SimNoCassetteError(found.miss), 404, {}, found.nearest ? { nearest: found.nearest } : {});
      return undefined;
    }
    const { hit } = found;
    state.stats.byCassette[hit.cassette.id] = (state.stats.byCassette[hit.cassette.id] ?? 0) + 1;
    const u = hit.response.usage;
    return {
      message: messageFromTurn(hit.response),
      ...(u ? { usage: { ...u, total_tokens: u.prompt_tokens + u.completion_tokens } } : {}),
      ...(hit.response.finish_reason ? { finish: hit.response.finish_reason } : {}),
      headers: { ...headers, 'x-sim-cassette': `${hit.cassette.id}#${hit.thread}.${hit.turn}` },
    };
  };

  const chat = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | void> => {
    const parsed = ChatRequestSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      state.stats.badRequests += 1;
      return sendError(reply, new SimBadRequestError(zodMessage(parsed.error)));
    }
    const body = parsed.data;
    if (state.faults.hang) {
      await state.hold((release) => reply.raw.on('close', release));
      if (state.closed || reply.raw.destroyed) return abandon(reply);
    }
    const f = state.faults;
    if (f.latencyMs > 0) {
      state.stats.faults.delayed += 1;
      await new Promise((resolve) => setTimeout(resolve, f.latencyMs));
      if (reply.raw.destroyed) return abandon(reply);
    }
    const fault = state.takeFault();
    if (fault) {
      const retry = state.faults.retryAfterMs;
      const headers: Record<string, string> = retry === undefined ? {} : { 'retry-after-ms': String(retry), 'retry-after': String(Math.ceil(retry / 1000)) };
      return sendError(reply, new SimFaultInjectedError(fault), state.faults.errorStatus, headers);
    }
    const created = Math.floor(Date.now() / 1000);
    const found = await answerFor(request, reply, body);
    if (!found) return reply;
    const { message } = found;
    const prompt = promptTokens(body.messages);
    const completion = completionTokens(message);
    const answer: Answer = {
      id: completionId(),
      created,
      model: body.model,
      message,
      finishReason: finishReasonOf(message, found.finish),
      usage: found.usage ?? { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
    };
    const headers = { ...found.headers, 'x-request-id': answer.id };
    state.stats.tokens.prompt += answer.usage.prompt_tokens;
    state.stats.tokens.completion += answer.usage.completion_tokens;
    if (body.stream) state.stats.streamed += 1;
    // A cut must drop the socket mid-body, so the answer is written on node's response, not through fastify.
    reply.hijack();
    const onCut = (): void => {
      state.stats.faults.cutStreams += 1;
    };
    try {
      const complete = body.stream
        ? await writeStream(reply.raw, answer, body.stream_options?.include_usage === true, f, headers, onCut)
        : await writeJson(reply.raw, answer, f, headers, onCut);
      if (complete) state.stats.served += 1;
    } catch {
      reply.raw.destroy();
    }
    return undefined;
  };

  const chatOptions = {
    // Counted before the body is read, so a request with a broken body still counts as a request.
    onRequest: async () => {
      state.stats.requests += 1;
    },
  };
  for (const url of ['/v1/chat/completions', '/chat/completions']) {
    app.post(url, chatOptions, async (request, reply) => {
      state.stats.inFlight += 1;
      try {
        return await chat(request, reply);
      } finally {
        state.stats.inFlight -= 1;
      }
    });
  }
}

function modelRoutes(app: FastifyInstance, state: SimState, mode: 'record' | 'replay'): void {
  const model = (id: string): object => ({ id, object: 'model', created: 0, owned_by: 'luminamind-sim' });
  const list = (): object => ({ object: 'list', data: [model('sim'), ...state.store.list().map((c) => model(`cassette:${c.id}`))] });
  app.get('/health', async (_req, reply) => sendJson(reply, { status: 'ok', cassettes: state.store.list().length, mode }));
  for (const url of ['/v1/models', '/models']) app.get(url, async (_req, reply) => sendJson(reply, list()));
  for (const url of ['/v1/models/*', '/models/*']) {
    app.get(url, async (request, reply) => sendJson(reply, model(decodeURIComponent((request.params as { '*': string })['*'].replace(/\/+$/, '')))));
  }
}

/**
 * The simulator's HTTP face as one fastify app: chat completions (JSON or SSE), models, health and the admin API,
 * every error in the OpenAI envelope. Not listening yet: `startSimulator` listens, tests may `inject`.
 *
 * @example
 *   const app = buildSimApp(new SimState(), undefined);
 *   const res = await app.inject({ method: 'GET', url: '/v1/models' });
 */
export function buildSimApp(state: SimState, proxy: RecordingProxy | undefined): FastifyInstance {
  // Idle keep-alive connections stay open for 2 min (close() still drops them at once): with 5 s, a client whose event
  // loop lags over a second under load (Node's agent keeps a 1 s margin on the server's hint) reused sockets the
  // simulator had just closed, and the resets (5 in a row) opened the service's model breaker in a throughput run
  // (bench:service, 256 concurrent one-tool requests on a shared machine): a cost of the harness, not of the model.
  const app = Fastify({ logger: false, bodyLimit: MAX_BODY, forceCloseConnections: true, keepAliveTimeout: 120_000, routerOptions: { ignoreTrailingSlash: true } });
  // Any content type, an empty body meaning {}: OpenAI clients, curl and fetch with a bare string body all work.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, text, done) => {
    if (!(text as string).trim()) return done(null, {});
    try {
      done(null, JSON.parse(text as string));
    } catch (err) {
      done(new SimBadRequestError(`body is not JSON: ${(err as Error).message}`), undefined);
    }
  });
  app.setErrorHandler((err: Error & { code?: string }, _request, reply) => {
    if (reply.raw.headersSent) {
      reply.raw.destroy();
      return;
    }
    const known = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? new SimBadRequestError(`body larger than ${MAX_BODY} bytes`) : err;
    if (known instanceof SimBadRequestError) state.stats.badRequests += 1;
    if (known instanceof SimUpstreamFailedError) state.stats.upstreamErrors += 1;
    if (known instanceof SimBadRequestError || known instanceof SimCassetteInvalidError || known instanceof SimUpstreamFailedError) {
      sendError(reply, known as CodedError);
      return;
    }
    sendError(reply, { code: 'EVL_ERR_SIM_BAD_REQUEST', message: err.message }, 500);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = pathOf(request.url);
    const what = path.startsWith('/_admin/') ? 'unknown admin route' : 'no route';
    sendError(reply, new SimBadRequestError(`${what} ${request.method} ${path}`), 404);
  });
  chatRoute(app, state, proxy);
  modelRoutes(app, state, proxy ? 'record' : 'replay');
  registerAdminRoutes(app, state);
  return app;
}
