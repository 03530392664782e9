import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startOfflineService } from '../routes/service.test-support.js';

const ROOT = join(import.meta.dirname, '../../..');
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

type Operation = { responses: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }> };
type Document = { info: { version: string }; paths: Record<string, Record<string, Operation>> };

let svc: Awaited<ReturnType<typeof startOfflineService>>;
let doc: Document;
beforeAll(async () => {
  svc = await startOfflineService();
  doc = (await svc.app.inject({ method: 'GET', url: '/docs/json' })).json();
});
afterAll(async () => {
  await svc?.close();
});

/** fastify's `/v1/threads/:id` as OpenAPI spells it, `/v1/threads/{id}`. */
const openapiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');
// The documentation's own routes (the UI, its assets, the document itself) are not part of the API.
const apiRoutes = () => svc.app.routeTable.filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/docs'));

describe('OpenAPI document at /docs/json', () => {
  it('carries the package version', () => {
    expect(doc.info.version).toBe(PACKAGE_VERSION);
  });

  it('documents every route the app serves, /metrics included', () => {
    const routes = apiRoutes();
    expect(routes.map((r) => r.url)).toEqual(expect.arrayContaining(['/v1/chat', '/metrics', '/health', '/ready']));
    for (const route of routes) expect(doc.paths[openapiPath(route.url)]?.[route.method.toLowerCase()], `${route.method} ${route.url}`).toBeDefined();
  });

  it('gives every documented response a description and, unless it is a 204, a schema; every operation documents its 5xx', () => {
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(Object.keys(operation.responses).some((s) => s.startsWith('5')), `${where} documents no 5xx`).toBe(true);
        for (const [status, response] of Object.entries(operation.responses)) {
          expect(response.description, `${where} ${status}`).not.toBe('Default Response');
          if (status === '204') continue;
          const schemas = Object.values(response.content ?? {}).map((c) => c.schema);
          expect(schemas.length, `${where} ${status} has no schema`).toBeGreaterThan(0);
          expect(schemas.every(Boolean), `${where} ${status}`).toBe(true);
        }
      }
    }
  });

  it('the completeness check can fail: a route added without a schema is caught', async () => {
    const { default: Fastify } = await import('fastify');
    const { openapi } = await import('./openapi.js');
    const bare = Fastify();
    await bare.register(openapi);
    bare.get('/undocumented', async () => 'x');
    await bare.ready();
    const bareDoc = (await bare.inject({ method: 'GET', url: '/docs/json' })).json() as Document;
    const responses = bareDoc.paths['/undocumented']?.get?.responses ?? {};
    // No 5xx, and the one response fastify invents is the "Default Response" without a schema the test above refuses.
    expect(Object.keys(responses).some((s) => s.startsWith('5'))).toBe(false);
    expect(responses['200']?.description).toBe('Default Response');
    await bare.close();
  });

  it('serves a browsable Swagger UI at /docs from local assets, no CDN', async () => {
    const page = await svc.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('swagger-ui');
    expect(page.body).not.toMatch(/https?:\/\/(?!localhost)[a-z0-9.-]+\.[a-z]{2,}\//i);
    const script = await svc.app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    expect(script.statusCode).toBe(200);
  });
});
