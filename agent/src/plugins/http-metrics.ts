import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Counts and times every response by route template (`unmatched` for none), for the HTTP dashboards and alerts. */
export const httpMetrics = fp(
  async (app: FastifyInstance) => {
    const { metrics } = app.luminamind;
    app.addHook('onResponse', async (request, reply) => {
      const endpoint = request.routeOptions.url ?? 'unmatched';
      metrics.requests.inc({ method: request.method, endpoint, status: String(reply.statusCode) });
      metrics.requestDuration.observe({ method: request.method, endpoint }, reply.elapsedTime / 1000);
    });
  },
  { name: 'luminamind-http-metrics', fastify: '5.x', dependencies: ['luminamind-service'] },
);
