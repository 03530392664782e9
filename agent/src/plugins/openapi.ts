import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { SERVICE_VERSION } from '../version.js';

export const DOCS_PREFIX = '/docs';

/**
 * The OpenAPI 3 document of every route at `/docs/json` (and `/docs/yaml`), built from the routes' own schemas, with
 * the package's version; a browsable Swagger UI at `/docs`, its assets served from node_modules (no CDN). Register it
 * before the routes: it collects them as they are added.
 */
export const openapi = fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        info: {
          title: 'LuminaMind agent service',
          version: SERVICE_VERSION,
          description:
            'Every error is `{"error": {"code", "message"}}` with a code from docs/ERRORS.md. `/metrics` is also served alone on METRICS_PORT when that is set.',
        },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        security: [{ bearer: [] }],
      },
    });
    await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, staticCSP: true });
  },
  { name: 'luminamind-openapi', fastify: '5.x' },
);
