import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { toApiError } from '../contract/api-error.js';
import { ChatRequestSchema, ChatResponseSchema, jsonSchemaOf, type ChatRequest, type ChatResponse } from '../contract/http.js';
import type { RunInput } from '../graph/agent.js';
import type { ExecuteContext, Service } from '../service/service.js';

import { errorResponses } from './error-responses.js';

export function wantsEventStream(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === 'string' && accept.includes('text/event-stream');
}

/**
 * Runs the agent for a JSON or an SSE request. SSE sends `token` events as the model writes (main agent and
 * subagents alike), `tool_start`/`tool_end` as tools run, and one final `result` (or `error`) event.
 */
export async function respondWithRun(
  service: Service,
  request: FastifyRequest,
  reply: FastifyReply,
  input: RunInput & { threadId: string },
  decisions?: ExecuteContext['decisions'],
): Promise<ChatResponse | undefined> {
  const log = request.log;
  const base: ExecuteContext = { keyId: request.principal?.keyId ?? 'anonymous', log, decisions };
  if (!wantsEventStream(request)) return service.execute(input, base);

  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': request.id });
  const send = (event: string, data: unknown) => {
    if (!raw.writableEnded) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  send('run_started', { thread_id: input.threadId });
  let status = 200;
  try {
    const result = await service.execute(input, {
      ...base,
      // Subagent text is tagged with its agent, so a client can tell it from the answer.
      onToken: (text, source) => send('token', source.agent ? { text, agent: source.agent } : { text }),
      onEvent: (event) => send(event.type, { name: event.call.name, args: event.call.args, ...(event.type === 'tool_end' ? { error: event.call.error, duration_ms: event.call.durationMs, output: event.call.output } : {}) }),
    });
    send('result', result);
  } catch (err) {
    const apiError = toApiError(err, request.id, service.secrets);
    status = apiError.status;
    if (status >= 500) log.error({ err, code: apiError.body.error.code }, 'request_failed');
    send('error', { status, ...apiError.body });
  } finally {
    // fastify's onResponse hook still counts this request (as the 200 the stream began with).
    raw.end();
  }
  return undefined;
}

/** `POST /chat` (under /v1): one user turn. */
export const chatRoute: FastifyPluginAsync = async (app) => {
  const service = app.luminamind;
  app.post<{ Body: ChatRequest }>(
    '/chat',
    {
      schema: {
        tags: ['chat'],
        summary: 'One user turn; Accept: text/event-stream streams tool events and the final result',
        body: jsonSchemaOf(ChatRequestSchema),
        response: { 200: { description: 'The run: an answer, or the actions awaiting approval (SSE: a stream ending in `result` or `error`)', ...jsonSchemaOf(ChatResponseSchema) }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const threadId = request.body.thread_id ?? randomUUID();
      return respondWithRun(service, request, reply, { threadId, message: request.body.message });
    },
  );
};
