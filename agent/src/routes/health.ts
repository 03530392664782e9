import type { FastifyInstance } from 'fastify';

/** Liveness: the process serves requests. It checks no dependency, so a Redis outage never restarts pods. */
export function registerHealthRoute(app: FastifyInstance): void {
  app.get(
    '/health',
    { schema: { tags: ['ops'], security: [], response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } } },
    async () => ({ status: 'ok' }),
  );
}
