import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Span } from '@opentelemetry/api';
import { markSpanError, runInSpan, startServerSpan, tracingEnabled } from '../observability/tracing.js';

/**
 * A SERVER span per HTTP request (`POST /v1/chat`, …) with method, route template and status, continuing the
 * caller's W3C traceparent. Our own hooks rather than @opentelemetry/instrumentation-http: that patches `http`
 * through module loader hooks, which an ESM app only gets with `--import`, and it cannot see fastify's routes.
 * Registers nothing when tracing is off.
 */
export const httpTracing = fp(async (app: FastifyInstance) => {
  if (!tracingEnabled()) return;
  const spans = new WeakMap<FastifyRequest, Span>();

  app.addHook('onRequest', (request, _reply, done) => {
    const span = startServerSpan(request.method, request.headers, {
      'http.request.method': request.method,
      // The path without its query string: a query may carry tokens.
      'url.path': request.url.split('?')[0] ?? '/',
      'http.request_id': request.id,
    });
    if (span) spans.set(request, span);
    done();
  });

  // Body parsing runs on the socket's async context; re-entering the span here makes the handler (and the agent run) its child.
  app.addHook('preHandler', (request, _reply, done) => {
    runInSpan(spans.get(request), done);
  });

  const finish = (request: FastifyRequest, status: number | undefined) => {
    const span = spans.get(request);
    if (!span) return;
    spans.delete(request);
    const route = request.routeOptions.url;
    if (route) {
      span.updateName(`${request.method} ${route}`);
      span.setAttribute('http.route', route);
    }
    if (status === undefined) markSpanError(span, 'client_aborted');
    else {
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) markSpanError(span, `HTTP_${status}`);
    }
    span.end();
  };
  app.addHook('onResponse', async (request, reply) => finish(request, reply.statusCode));
  app.addHook('onRequestAbort', async (request) => finish(request, undefined));
}, { name: 'luminamind-http-tracing', fastify: '5.x' });
