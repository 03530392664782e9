import type { FastifyPluginAsync } from 'fastify';
import { opsErrorResponses } from './error-responses.js';

/** Liveness: the process serves requests. It checks no dependency, so a Redis outage never restarts pods. */
export const healthRoute: FastifyPluginAsync = async (app) => {
  app.get(
    '/health',
    { schema: { tags: ['ops'], security: [], response: { 200: { description: 'The process serves requests', type: 'object', properties: { status: { type: 'string' } } }, ...opsErrorResponses } } },
    async () => ({ status: 'ok' }),
  );
};
