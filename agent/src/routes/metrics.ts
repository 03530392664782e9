import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../observability/metrics.js';
import { opsErrorResponses } from './error-responses.js';

/** Prometheus exposition of the service's registry, or of `metrics` (main.ts serves it alone on METRICS_PORT that way). */
export const metricsRoute: FastifyPluginAsync<{ metrics?: Metrics }> = async (app, options) => {
  const metrics = options.metrics ?? app.luminamind.metrics;
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['ops'],
        summary: 'Prometheus metrics (text exposition format); also on METRICS_PORT when set',
        security: [],
        response: { 200: { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } }, ...opsErrorResponses },
      },
    },
    async (_request, reply) => {
      const body = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(body);
    },
  );
};
