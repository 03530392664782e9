import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import swagger from '@fastify/swagger';
import swaggerUi, { type FastifySwaggerUiOptions } from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { SERVICE_VERSION } from '../version.js';

export const DOCS_PREFIX = '/docs';

// Set by the bundler (load/service-bundle.ts `define`) to where it copied the Swagger UI's assets, relative to the
// bundle; undefined when running from the sources. The plugin finds its assets next to its own file, which in the
// bundle is dist/, not node_modules, so the bundle tells it where they are.
declare const LUMINAMIND_SWAGGER_UI_DIR: string | undefined;

/** Where the Swagger UI's assets and logo are read from: the plugin's own folder, or the bundle's copy. */
function swaggerUiAssets(): Pick<FastifySwaggerUiOptions, 'baseDir' | 'logo'> {
  if (typeof LUMINAMIND_SWAGGER_UI_DIR !== 'string') return {};
  const baseDir = fileURLToPath(new URL(LUMINAMIND_SWAGGER_UI_DIR, import.meta.url));
  return { baseDir, logo: { type: 'image/svg+xml', content: readFileSync(join(baseDir, 'logo.svg')) } };
}

/**
 * The OpenAPI 3 document of every route at `/docs/json` (and `/docs/yaml`), built from the routes' own schemas, with
 * the package's version; a browsable Swagger UI at `/docs`, its assets served by the service (no CDN). Register it
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
    await app.register(swaggerUi, { routePrefix: DOCS_PREFIX, staticCSP: true, ...swaggerUiAssets() });
  },
  { name: 'luminamind-openapi', fastify: '5.x' },
);
