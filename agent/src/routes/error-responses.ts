import { ErrorResponseSchema, jsonSchemaOf } from '../contract/http.js';

const envelope = (description: string) => ({ description, ...jsonSchemaOf(ErrorResponseSchema) });

/** The error statuses every /v1 route can answer, each in the one envelope (codes in docs/ERRORS.md). */
export const errorResponses = {
  400: envelope('Malformed request: bad JSON, wrong types, unknown fields (AGT_ERR_REQUEST_INVALID)'),
  401: envelope('Missing or invalid API key (AGT_ERR_UNAUTHORIZED)'),
  404: envelope('Unknown thread, run or route (AGT_ERR_NOT_FOUND, AGT_ERR_RUN_NOT_FOUND)'),
  405: envelope('A known path with another method (AGT_ERR_METHOD_NOT_ALLOWED; `Allow` lists the methods)'),
  409: envelope('The thread is busy, or has nothing to approve (AGT_ERR_THREAD_BUSY, AGT_ERR_NO_PENDING_APPROVAL)'),
  413: envelope('Body larger than 1 MiB (AGT_ERR_BODY_TOO_LARGE)'),
  414: envelope('A path parameter longer than the router accepts (AGT_ERR_URI_TOO_LONG)'),
  415: envelope('Not application/json (AGT_ERR_UNSUPPORTED_MEDIA_TYPE)'),
  429: envelope('Rate limit exceeded (AGT_ERR_RATE_LIMITED; `Retry-After` says when)'),
  500: envelope('Unexpected failure; the message names the request id (AGT_ERR_INTERNAL)'),
  502: envelope('The model refused the call or the answer failed validation (AGT_ERR_MODEL_REJECTED with `upstream`, AGT_ERR_ANSWER_REJECTED)'),
  503: envelope('A dependency is unavailable or the service is shutting down (AGT_ERR_MODEL_UNAVAILABLE with `endpoints`, AGT_ERR_CIRCUIT_OPEN, AGT_ERR_CHECKPOINT_FAILED, AGT_ERR_SHUTTING_DOWN)'),
};

/** The errors an unauthenticated ops route (/health, /ready, /metrics) can still answer. */
export const opsErrorResponses = { 405: errorResponses[405], 500: errorResponses[500], 503: errorResponses[503] };
