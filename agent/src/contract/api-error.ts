import type { FastifyError } from 'fastify';
import { errorCode } from '../errors.js';

/** The one error shape of the HTTP API. Model errors add `endpoints` (hosts) and `upstream` (the endpoint's answer). */
export interface ApiErrorBody {
  error: { code: string; message: string; endpoints?: string[]; upstream?: Record<string, unknown> };
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
  FST_ERR_MAX_PARAM_LENGTH: { code: 'AGT_ERR_URI_TOO_LONG', status: 414 },
};
const MAX_CAUSE_DEPTH = 8;
// Fields of our errors that are meant for clients (the model errors' endpoint hosts and upstream answer).
const PUBLIC_FIELDS = ['endpoints', 'upstream'] as const;
// Key-shaped tokens (sk-…, key-…) an upstream may quote back, masked or not.
const KEY_LIKE = /\b(?:sk|key|rk|pk)-[A-Za-z0-9*_-]{6,}/g;

/** Our error behind `err`: itself, or the first AGT_ERR_* along its `cause` chain (LangGraph wraps what a node throws). */
function ownError(err: unknown): unknown {
  let current = err;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && current && typeof current === 'object'; depth++) {
    if (errorCode(current)?.startsWith('AGT_ERR_')) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return err;
}

/** Removes configured secrets and key-shaped tokens from text that leaves the service. */
export function scrubSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join('[redacted]');
  return out.replace(KEY_LIKE, '[redacted]');
}

/**
 * The one error shape of the API, `{error: {code, message}}`, whatever threw: fastify's own errors mapped to
 * documented codes, our AGT_ERR_* errors with their status (found along the cause chain), anything else a 500
 * whose message names only the request id. `secrets` are scrubbed from everything that leaves.
 */
export function toApiError(thrown: unknown, requestId: string, secrets: readonly string[] = []): { status: number; body: ApiErrorBody } {
  const err = ownError(thrown);
  const e = err as Partial<FastifyError> & { validation?: unknown } & Record<string, unknown>;
  const code = errorCode(err);
  if (e.validation) {
    return { status: 400, body: { error: { code: 'AGT_ERR_REQUEST_INVALID', message: `Invalid request: ${e.message ?? 'validation failed'}` } } };
  }
  const mapped = code ? FASTIFY_CODES[code] : undefined;
  if (mapped) return { status: mapped.status, body: { error: { code: mapped.code, message: e.message ?? mapped.code } } };
  if (code?.startsWith('AGT_ERR_')) {
    const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
    // A 5xx message may carry internals (paths, stack fragments); only 4xx and the dependency errors (502, 503) are meant for clients.
    if (status >= 500 && status !== 503 && status !== 502) return { status, body: { error: { code, message: `Internal error (request ${requestId})` } } };
    const extra = Object.fromEntries(PUBLIC_FIELDS.filter((f) => e[f] !== undefined).map((f) => [f, e[f]]));
    const error = { code, message: e.message ?? code, ...extra };
    return { status, body: { error: JSON.parse(scrubSecrets(JSON.stringify(error), secrets)) as ApiErrorBody['error'] } };
  }
  const status = typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 ? e.statusCode : 500;
  if (status < 500) return { status, body: { error: { code: 'AGT_ERR_REQUEST_INVALID', message: e.message ?? 'Bad request' } } };
  return { status: 500, body: { error: { code: 'AGT_ERR_INTERNAL', message: `Internal error (request ${requestId})` } } };
}
