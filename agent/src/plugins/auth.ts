import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { ConfigInvalidError, UnauthorizedError } from '../errors.js';
import type { Metrics } from '../observability/metrics.js';
import type { Logger } from 'pino';

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host.replace(/^\[|\]$/g, ''));
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Who made the request: a short, non-reversible id of the key (for rate limits and audit logs), never the key. */
export interface Principal {
  readonly keyId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Refuses configurations that would expose an unauthenticated service beyond this machine. */
export function assertAuthConfig(config: Config): void {
  const { auth, host, apiKeyHashes } = config.server;
  if (auth === 'none' && !isLoopbackHost(host)) {
    throw new ConfigInvalidError(`  - AUTH: 'none' is allowed only when HOST is loopback (127.0.0.1, ::1, localhost); HOST is '${host}'`);
  }
  if (auth === 'apikey' && apiKeyHashes.length === 0) {
    throw new ConfigInvalidError("  - API_KEY_HASHES: AUTH=apikey needs at least one sha256 key hash (or AUTH=none on loopback for local use)");
  }
}

/**
 * Bearer API-key authentication: the presented key is hashed and compared with every configured hash in constant
 * time (all hashes, no early exit), so neither timing nor the number of keys leaks which prefix matched.
 */
export function createAuthHook(config: Config, metrics: Metrics, audit: Logger) {
  const hashes = config.server.apiKeyHashes.map((h) => Buffer.from(h, 'hex'));
  const open = config.server.auth === 'none';
  return async function authenticate(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    if (open) {
      request.principal = { keyId: 'anonymous' };
      return;
    }
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([\x21-\x7e]{1,512})$/.exec(header) : null;
    if (!match) {
      metrics.authFailures.inc({ reason: 'missing' });
      audit.warn({ event: 'auth_failure', reason: 'missing', reqId: request.id, ip: request.ip }, 'auth_failure');
      throw new UnauthorizedError('Missing or malformed Authorization header; expected "Bearer <api key>"');
    }
    const presented = createHash('sha256').update(match[1]!, 'utf8').digest();
    let found = -1;
    for (let i = 0; i < hashes.length; i++) if (timingSafeEqual(presented, hashes[i]!)) found = i;
    if (found < 0) {
      metrics.authFailures.inc({ reason: 'invalid' });
      audit.warn({ event: 'auth_failure', reason: 'invalid', reqId: request.id, ip: request.ip }, 'auth_failure');
      throw new UnauthorizedError('Invalid API key');
    }
    request.principal = { keyId: config.server.apiKeyHashes[found]!.slice(0, 12) };
  };
}

/** Bearer API-key authentication on every route of the scope that registers it (fastify-plugin: the hook lands in that scope). */
export const authentication = fp(
  async (app: FastifyInstance) => {
    const { config, metrics, audit } = app.luminamind;
    app.addHook('onRequest', createAuthHook(config, metrics, audit));
  },
  { name: 'luminamind-auth', fastify: '5.x', dependencies: ['luminamind-service'] },
);
