import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { RateLimitedError } from '../errors.js';

/**
 * Per-API-key request limits (REQUESTS_PER_MINUTE) on the scope that registers it, shared through Redis when the
 * service has one. Fails open: a Redis outage must not take the API down (tool limits fall back to local windows).
 */
export const edgeRateLimit = fp(
  async (app: FastifyInstance) => {
    const { config, redis, metrics, audit } = app.luminamind;
    await app.register(rateLimit, {
      max: config.server.requestsPerMinute,
      timeWindow: 60_000,
      hook: 'preParsing',
      keyGenerator: (request) => request.principal?.keyId ?? request.ip,
      nameSpace: 'lm:rl:edge:',
      ...(redis ? { redis } : {}),
      skipOnError: true,
      onExceeded: (request) => {
        metrics.rateLimitExceeded.inc({ tool_name: 'http', key_type: request.principal ? 'api_key' : 'ip' });
        audit.warn({ event: 'rate_limited', scope: 'http', key_id: request.principal?.keyId, reqId: request.id }, 'rate_limited');
      },
      errorResponseBuilder: (_request, context) => {
        const err = new RateLimitedError(`${context.max} requests per minute per API key; retry after ${Math.ceil(context.ttl / 1000)} s`);
        return Object.assign(err, { statusCode: 429 });
      },
    });
  },
  { name: 'luminamind-edge-rate-limit', fastify: '5.x', dependencies: ['luminamind-service'] },
);
