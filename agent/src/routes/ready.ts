import type { FastifyPluginAsync } from 'fastify';
import { jsonSchemaOf, ReadyResponseSchema, type ReadyResponse } from '../contract/http.js';
import { withTimeout } from '../service/readiness.js';
import { opsErrorResponses } from './error-responses.js';

/** Readiness: every part checked in parallel with a short timeout; 503 names the failing parts. */
export const readyRoute: FastifyPluginAsync = async (app) => {
  const service = app.luminamind;
  const ready = jsonSchemaOf(ReadyResponseSchema);
  const response = { ...opsErrorResponses, 200: { description: 'Ready (or degraded)', ...ready }, 503: { description: 'A part failed, or the service is shutting down', ...ready } };
  app.get('/ready', { schema: { tags: ['ops'], security: [], response } }, async (_request, reply) => {
    const entries = await Promise.all(
      Object.entries(service.readiness).map(async ([name, probe]) => {
        const started = performance.now();
        const result = await withTimeout(probe);
        return [name, { ...result, latency_ms: Math.round(performance.now() - started) }] as const;
      }),
    );
    const checks = Object.fromEntries(entries);
    const failing = entries.filter(([, c]) => !c.ok).map(([name]) => name);
    if (service.draining) failing.push('shutdown');
    const body: ReadyResponse = {
      status: failing.length ? 'unavailable' : entries.some(([, c]) => c.degraded) ? 'degraded' : 'ready',
      checks,
      failing,
    };
    if (failing.length) service.log.warn({ failing }, 'not_ready');
    return reply.code(failing.length ? 503 : 200).send(body);
  });
};
