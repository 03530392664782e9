import type { FastifyPluginAsync } from 'fastify';
import { ApprovalRequestSchema, ChatResponseSchema, jsonSchemaOf, ThreadParamsSchema, type ApprovalRequest } from '../contract/http.js';
import { NoPendingApprovalError, RequestInvalidError } from '../errors.js';
import type { Service } from '../service/service.js';
import { respondWithRun } from './chat.js';
import { errorResponses } from './error-responses.js';

/** How many actions the thread's interrupted run waits on (0: nothing to approve). */
export async function pendingActionCount(service: Service, threadId: string): Promise<number> {
  const snapshot = await service.agent.graph.graph.getState({ configurable: { thread_id: threadId } });
  return (snapshot.tasks ?? [])
    .flatMap((t) => t.interrupts ?? [])
    .reduce((n, i) => n + (((i.value ?? {}) as { actionRequests?: unknown[] }).actionRequests?.length ?? 0), 0);
}

/** `POST /threads/:id/approvals` (under /v1): resume a run that waits for approval. */
export const approvalsRoute: FastifyPluginAsync = async (app) => {
  const service = app.luminamind;
  app.post<{ Params: { id: string }; Body: ApprovalRequest }>(
    '/threads/:id/approvals',
    {
      schema: {
        tags: ['chat'],
        summary: 'Resume a run that awaits approval: one decision per pending action, in order',
        params: jsonSchemaOf(ThreadParamsSchema),
        body: jsonSchemaOf(ApprovalRequestSchema),
        response: { 200: { description: 'The resumed run', ...jsonSchemaOf(ChatResponseSchema) }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const threadId = request.params.id;
      const pending = await pendingActionCount(service, threadId);
      if (pending === 0) throw new NoPendingApprovalError(`Thread ${threadId} is not waiting for an approval`);
      const { decisions } = request.body;
      if (decisions.length !== pending) throw new RequestInvalidError(`${pending} pending action(s) need exactly ${pending} decision(s); got ${decisions.length}`);
      service.audit.info({ event: 'approval_decisions', thread_id: threadId, key_id: request.principal?.keyId, decisions: decisions.map((d) => d.type) }, 'approval_decisions');
      return respondWithRun(service, request, reply, { threadId, decisions }, decisions);
    },
  );
};
