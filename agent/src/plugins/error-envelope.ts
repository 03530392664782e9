import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorCode } from '../errors.js';

export interface ApiErrorBody {
  error: { code: string; message: string };
}

// Fastify's own codes mapped to ours: every client mistake becomes a documented AGT_ERR_* 4xx.
const FASTIFY_CODES: Record<string, { code: string; status: number }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'AGT_ERR_REQUEST_INVALID', status: 400 },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'AGT_ERR_REQUEST_INVALID', status: 400 },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'AGT_ERR_BODY_TOO_LARGE', status: 413 },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: 'AGT_ERR_UNSUPPORTED_MEDIA_TYPE', status: 415 },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'AGT_ERR_REQUEST_INVALID', status: 400 },
  FST_ERR_CTP_INVALID_TYPE: { code: 'AGT_ERR_UNSUPPORTED_MEDIA_TYPE', status: 415 },
  FST_ERR_VALIDATION: { code: 'AGT_ERR_REQUEST_INVALID', status: 400 },
  FST_ERR_BAD_URL: { code: 'AGT_ERR_REQUEST_INVALID', status: 400 },
  FST_ERR_ASYNC_CONSTRAINT: { code: 'AGT_ERR_REQUEST_INVALID', status: 400 },
};

/** The one error shape of the API, `{error: {code, message}}`, whatever threw. */
export function toApiError(err: unknown, requestId: string): { status: number; body: ApiErrorBody } {
  const e = err as Partial<FastifyError> & { validation?: unknown };
  const code = errorCode(err);
  if (e.validation) {
    return { status: 400, body: { error: { code: 'AGT_ERR_REQUEST_INVALID', message: `Invalid request: ${e.message ?? 'validation failed'}` } } };
  }
  const mapped = code ? FASTIFY_CODES[code] : undefined;
  if (mapped) return { status: mapped.status, body: { error: { code: mapped.code, message: e.message ?? mapped.code } } };
  if (code?.startsWith('AGT_ERR_') || code?.startsWith('EVL_ERR_')) {
    const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
    // A 5xx message may carry internals (paths, upstream bodies); only 4xx and our 503s are meant for clients.
    const message = status >= 500 && status !== 503 && status !== 502 ? `Internal error (request ${requestId})` : (e.message ?? code);
    return { status, body: { error: { code, message } } };
  }
  const status = typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 ? e.statusCode : 500;
  if (status < 500) return { status, body: { error: { code: 'AGT_ERR_REQUEST_INVALID', message: e.message ?? 'Bad request' } } };
  return { status: 500, body: { error: { code: 'AGT_ERR_INTERNAL', message: `Internal error (request ${requestId})` } } };
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toApiError(err, request.id);
    if (status >= 500) request.log.error({ err, code: body.error.code }, 'request_failed');
    else request.log.info({ code: body.error.code, status }, 'request_rejected');
    if (status === 429 && !reply.hasHeader('retry-after')) reply.header('retry-after', '60');
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'AGT_ERR_NOT_FOUND', message: `Route ${request.method} ${(request.url.split('?')[0] ?? '').slice(0, 200)} not found` } }),
  );
}
