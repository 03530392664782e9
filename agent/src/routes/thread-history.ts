import type { BaseMessage } from '@langchain/core/messages';
import type { FastifyPluginAsync } from 'fastify';
import { jsonSchemaOf, ThreadHistorySchema, ThreadParamsSchema, type ThreadHistory } from '../contract/http.js';
import { NotFoundError } from '../errors.js';
import { errorResponses } from './error-responses.js';

const ROLE: Record<string, ThreadHistory['messages'][number]['role']> = { human: 'user', ai: 'assistant', tool: 'tool', system: 'system' };

function textOf(content: BaseMessage['content']): string {
  if (typeof content === 'string') return content;
  return content.map((b) => ('text' in b && typeof b.text === 'string' ? b.text : '')).join('');
}

export function toHistoryMessage(m: BaseMessage): ThreadHistory['messages'][number] {
  const toolCalls = (m as { tool_calls?: { name: string; args: Record<string, unknown> }[] }).tool_calls;
  return {
    role: ROLE[m.getType()] ?? 'system',
    content: textOf(m.content),
    ...(toolCalls?.length ? { tool_calls: toolCalls.map((c) => ({ name: c.name, args: c.args })) } : {}),
    ...(m.getType() === 'tool' && m.name ? { name: m.name } : {}),
  };
}

/** `GET /threads/:id` (under /v1): the thread's messages. */
export const threadHistoryRoute: FastifyPluginAsync = async (app) => {
  const service = app.luminamind;
  app.get<{ Params: { id: string } }>(
    '/threads/:id',
    {
      schema: {
        tags: ['threads'],
        summary: "The thread's messages as the checkpointer holds them",
        params: jsonSchemaOf(ThreadParamsSchema),
        response: { 200: { description: "The thread's messages", ...jsonSchemaOf(ThreadHistorySchema) }, ...errorResponses },
      },
    },
    async (request) => {
      const messages = await service.agent.history(request.params.id);
      if (!messages.length) throw new NotFoundError(`Thread ${request.params.id} has no state`);
      return { thread_id: request.params.id, messages: messages.map(toHistoryMessage) } satisfies ThreadHistory;
    },
  );
};
