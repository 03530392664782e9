import { ModelRejectedError, ModelUnavailableError } from '../errors.js';
import { scrubSecrets, toApiError } from './api-error.js';

/** How LangGraph/LangChain hand a node's error on: a new error whose `cause` is ours. */
function wrapped(inner: Error): Error {
  return new Error(`MiddlewareError: ${inner.message}`, { cause: inner });
}

describe('toApiError', () => {
  it('finds our model error along the cause chain: 503 naming the endpoint host', () => {
    const err = Object.assign(new ModelUnavailableError('primary m at 10.0.0.5:8000: Connection error.'), { endpoints: ['10.0.0.5:8000'] });
    const { status, body } = toApiError(wrapped(wrapped(err)), 'req-1');
    expect(status).toBe(503);
    expect(body.error).toEqual({ code: 'AGT_ERR_MODEL_UNAVAILABLE', message: expect.stringContaining('10.0.0.5:8000'), endpoints: ['10.0.0.5:8000'] });
  });

  it('passes an upstream refusal through: 502 with the upstream code and its extra fields', () => {
    const upstream = { status: 404, code: 'SOME_UPSTREAM_CODE', message: 'no such thing', nearest: { cassette: 'c1' } };
    const { status, body } = toApiError(wrapped(Object.assign(new ModelRejectedError('primary m at h:1: 404 no such thing'), { upstream })), 'req-1');
    expect(status).toBe(502);
    expect(body.error.code).toBe('AGT_ERR_MODEL_REJECTED');
    expect(body.error.upstream).toEqual(upstream);
  });

  it('can fail: an error with no code of ours anywhere on its chain is a 500 naming only the request', () => {
    const { status, body } = toApiError(wrapped(new Error('ECONNREFUSED 10.0.0.5 /secret/path')), 'req-9');
    expect(status).toBe(500);
    expect(body.error).toEqual({ code: 'AGT_ERR_INTERNAL', message: 'Internal error (request req-9)' });
  });

  it('scrubs configured secrets and key-shaped tokens from what leaves', () => {
    const err = Object.assign(new ModelRejectedError('bad key hunter2-long-password'), { upstream: { status: 401, message: 'Incorrect API key provided: sk-abc1****wxyz' } });
    const { body } = toApiError(err, 'r', ['hunter2-long-password']);
    expect(JSON.stringify(body)).not.toMatch(/hunter2|sk-abc1/);
    // The twin: without the configured secret, only the key-shaped token is caught.
    expect(JSON.stringify(toApiError(err, 'r').body)).toContain('hunter2-long-password');
    expect(scrubSecrets('key-0123456789 and sk-proj-abcdef')).toBe('[redacted] and [redacted]');
  });
});
