import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../observability/metrics.js';

/** Prometheus exposition of the instance's registry (also served alone on METRICS_PORT by main.ts). */
export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics): void {
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}
