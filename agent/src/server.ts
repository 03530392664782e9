import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';
import { createLogger } from './observability/logging.js';
import { assertAuthConfig } from './plugins/auth.js';
import { clientErrorHandler, errorEnvelope, frameworkErrors } from './plugins/error-envelope.js';
import { httpMetrics } from './plugins/http-metrics.js';
import { httpTracing } from './plugins/http-tracing.js';
import { openapi } from './plugins/openapi.js';
import { responseHeaders } from './plugins/response-headers.js';
import { servicePlugin } from './plugins/service.js';
import { v1Api } from './plugins/v1.js';
import { healthRoute } from './routes/health.js';
import { metricsRoute } from './routes/metrics.js';
import { readyRoute } from './routes/ready.js';
import { createService, type ServiceDeps } from './service/create-service.js';

export type ServerDeps = ServiceDeps;
export const BODY_LIMIT_BYTES = 1024 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function serverOptions(log: FastifyBaseLogger): FastifyServerOptions {
  return {
    loggerInstance: log,
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    // The error envelope answers requests that arrive while closing (503 AGT_ERR_SHUTTING_DOWN), not fastify's bare body.
    return503OnClosing: false,
    // Long path params reach schema validation (a documented 400); longer ones the router refuses (414, in the envelope).
    routerOptions: { maxParamLength: 2048 },
    frameworkErrors,
    clientErrorHandler,
    // Strict validation: unknown fields are errors, and "1" is not a number (ajv would coerce and strip by default).
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false } },
  };
}

/**
 * The HTTP service (routes, auth, rate limits, metrics; see README "The service") as a fastify instance that never
 * listens: main.ts listens, tests inject. Every feature is a plugin registered in one line.
 *
 * @example
 *   const app = await buildServer(config, { checkpointer });
 *   const res = await app.inject({ method: 'POST', url: '/v1/chat', payload: { message: 'hi' }, headers });
 */
export async function buildServer(config: Config, deps: ServerDeps = {}): Promise<FastifyInstance> {
  assertAuthConfig(config);
  const service = await createService(config, deps, deps.logger ?? createLogger(config, { stream: deps.logStream }));
  const app = Fastify(serverOptions(service.log as FastifyBaseLogger));
  // JSON only: a text/plain body is a client mistake (415), not a string to validate.
  app.removeContentTypeParser('text/plain');
  await app.register(servicePlugin, { service, closeables: deps.closeables });
  await app.register(errorEnvelope);
  await app.register(httpTracing);
  await app.register(responseHeaders);
  await app.register(httpMetrics);
  await app.register(openapi);
  await app.register(healthRoute);
  await app.register(readyRoute);
  await app.register(metricsRoute);
  await app.register(v1Api, { prefix: '/v1' });
  return app;
}
