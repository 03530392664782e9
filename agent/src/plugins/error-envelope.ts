import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import { toApiError, type ApiErrorBody } from '../contract/api-error.js';
import { HeadersTooLargeError, MethodNotAllowedError, NotFoundError, RequestInvalidError, RequestTimeoutError, ShuttingDownError } from '../errors.js';

function send(request: FastifyRequest, reply: FastifyReply, status: number, body: ApiErrorBody) {
  if (status >= 500) request.log.error({ code: body.error.code }, 'request_failed');
  else request.log.info({ code: body.error.code, status }, 'request_rejected');
  if (status === 429 && !reply.hasHeader('retry-after')) reply.header('retry-after', '60');
  return reply.code(status).send(body);
}

/** `:param` route patterns as regular expressions, to tell a wrong method (405) from an unknown path (404). */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  // Built from our own route table, never from request input.
  // eslint-disable-next-line security/detect-non-literal-regexp
  return new RegExp(`^${source}/?$`);
}

/**
 * Every error in the one envelope `{error: {code, message}}`: thrown errors, fastify's own (bad JSON 400, 413,
 * 415, validation), unknown routes (404), a known path with another method (405 with `Allow`), and requests that
 * arrive while the server closes (503 AGT_ERR_SHUTTING_DOWN). The router's errors (414, bad URL) come through
 * `frameworkErrors` and socket-level parse errors through `clientErrorHandler` below, both constructor options.
 */
declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered after the error envelope (method and URL pattern): for 405s, and for tests that walk the API. */
    routeTable: readonly { method: string; url: string }[];
  }
}

export const errorEnvelope = fp(
  async (app: FastifyInstance) => {
    const { secrets } = app.luminamind;
    const routes: { method: string; url: string; pattern: RegExp }[] = [];
    app.decorate('routeTable', routes);
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) routes.push({ method, url: route.url, pattern: patternOf(route.url) });
    });
    let closing = false;
    app.addHook('preClose', async () => {
      closing = true;
    });
    app.addHook('onRequest', async () => {
      if (closing) throw new ShuttingDownError();
    });
    app.setErrorHandler((err: FastifyError, request, reply) => {
      const { status, body } = toApiError(err, request.id, secrets);
      if (status >= 500) request.log.error({ err }, 'request_error');
      if (status === 503 && closing) reply.header('connection', 'close');
      return send(request, reply, status, body);
    });
    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] ?? '';
      const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
      if (allowed.length) {
        reply.header('allow', allowed.join(', '));
        const err = new MethodNotAllowedError(`${request.method} is not allowed on ${path.slice(0, 200)}; allowed: ${allowed.join(', ')}`);
        return send(request, reply, 405, { error: { code: err.code, message: err.message } });
      }
      const err = new NotFoundError(`Route ${request.method} ${path.slice(0, 200)} not found`);
      return send(request, reply, 404, { error: { code: err.code, message: err.message } });
    });
  },
  { name: 'luminamind-error-envelope', fastify: '5.x', dependencies: ['luminamind-service'] },
);

/** Fastify's router errors (414 too long a path parameter, 400 a malformed URL) in the envelope. */
export const frameworkErrors: NonNullable<FastifyServerOptions['frameworkErrors']> = (err, request, reply) => {
  const { status, body } = toApiError(err, request.id);
  // These replies are sent before any route matched, so no onSend hook adds the request id.
  reply.header('x-request-id', request.id);
  void send(request, reply, status, body);
};

const CLIENT_ERRORS: Record<string, () => FastifyError> = {
  ERR_HTTP_REQUEST_TIMEOUT: () => new RequestTimeoutError('The request was not received in time'),
  HPE_HEADER_OVERFLOW: () => new HeadersTooLargeError('Request headers are larger than the server accepts'),
};

/** Requests node's HTTP parser refuses before fastify sees them (bad syntax, huge headers, slow senders), in the envelope. */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
  const known = CLIENT_ERRORS[err.code ?? '']?.() ?? new RequestInvalidError('malformed HTTP request');
  const body = JSON.stringify({ error: { code: known.code, message: known.message } } satisfies ApiErrorBody);
  socket.end(`HTTP/1.1 ${known.statusCode} ${STATUS_CODES[known.statusCode ?? 400]}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
