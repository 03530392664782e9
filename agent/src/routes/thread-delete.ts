import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { jsonSchemaOf, ThreadParamsSchema } from '../contract/http.js';
import { RequestInvalidError, ThreadBusyError } from '../errors.js';
import type { Service } from '../service/service.js';
import { deleteByPattern } from '../service/tool-guard.js';
import { errorResponses } from './error-responses.js';

/**
 * The right to deletion: checkpoints (every namespace, subagents included), cached tool results, any other key
 * tagged with the thread, and the thread's workspace directory. Idempotent: an unknown thread is also a 204.
 */
export async function eraseThread(service: Service, threadId: string): Promise<void> {
  const root = resolve(service.config.tools.workspaceRoot);
  const dir = resolve(join(root, threadId));
  if (!dir.startsWith(root + '/')) throw new RequestInvalidError('thread id does not name a workspace directory');
  await service.checkpointer.deleteThread(threadId);
  await service.cache.dropThread(threadId);
  await service.runs.dropThread(threadId);
  // Thread-scoped keys carry the thread as a Redis hash tag `{<thread>}` (checkpoints, cache, anything added later).
  if (service.redis) await deleteByPattern(service.redis, `lm:*{${threadId}}*`);
  await rm(dir, { recursive: true, force: true });
}

/** `DELETE /threads/:id` (under /v1): the right to deletion. */
export const threadDeleteRoute: FastifyPluginAsync = async (app) => {
  const service = app.luminamind;
  app.delete<{ Params: { id: string } }>(
    '/threads/:id',
    {
      schema: {
        tags: ['threads'],
        summary: 'Erase every trace of the thread: state, cache entries, workspace',
        params: jsonSchemaOf(ThreadParamsSchema),
        response: { 204: { description: 'Erased (an unknown thread too: erasure is idempotent)', type: 'null' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const threadId = request.params.id;
      if (service.inFlightThreads().has(threadId)) throw new ThreadBusyError(threadId);
      await eraseThread(service, threadId);
      service.audit.info({ event: 'thread_deleted', thread_id: threadId, key_id: request.principal?.keyId }, 'thread_deleted');
      return reply.code(204).send();
    },
  );
};
