import type { FastifyInstance } from 'fastify';
import { SimBadRequestError, SimCassetteInvalidError } from './errors.js';
import { FaultsSchema } from './faults.js';
import { sendError, sendJson, zodMessage } from './replies.js';
import type { CassetteSource, SimState } from './state.js';

/** What a POST /_admin/cassettes body names: `{path}`, `{cassettes}`, or the cassette(s) themselves. */
function sourceOf(body: unknown): CassetteSource {
  if (body && typeof body === 'object' && 'path' in body) return body.path as string | string[];
  if (body && typeof body === 'object' && 'cassettes' in body) return body.cassettes as CassetteSource;
  return body as CassetteSource;
}

/** The admin API (`/_admin/…`): cassettes, faults and stats changed at run time. Unknown admin routes are the not-found handler's. */
export function registerAdminRoutes(app: FastifyInstance, state: SimState): void {
  app.get('/_admin/cassettes', async (_req, reply) => sendJson(reply, { cassettes: state.store.list() }));
  app.post('/_admin/cassettes', async (request, reply) => {
    const { replace } = request.query as { replace?: string };
    if (replace === 'true' || replace === '1') state.store.clear();
    const loaded = await state.loadCassettes(sourceOf(request.body ?? {})).catch((err: unknown) => {
      throw err instanceof SimCassetteInvalidError ? err : new SimBadRequestError(`cannot load cassettes: ${(err as Error).message}`);
    });
    return sendJson(reply, { loaded, cassettes: state.store.list() });
  });
  app.delete('/_admin/cassettes', async (_req, reply) => {
    state.store.clear();
    return sendJson(reply, { cassettes: [] });
  });

  app.get('/_admin/faults', async (_req, reply) => sendJson(reply, { faults: state.faults, failNextRemaining: state.failNextRemaining }));
  for (const method of ['POST', 'PUT'] as const) {
    app.route({
      method,
      url: '/_admin/faults',
      handler: async (request, reply) => {
        const parsed = FaultsSchema.safeParse(request.body ?? {});
        if (!parsed.success) return sendError(reply, new SimBadRequestError(zodMessage(parsed.error)));
        state.setFaults(parsed.data);
        return sendJson(reply, { faults: state.faults });
      },
    });
  }
  app.delete('/_admin/faults', async (_req, reply) => {
    state.setFaults({});
    return sendJson(reply, { faults: state.faults });
  });

  app.get('/_admin/stats', async (_req, reply) => sendJson(reply, state.stats));
  app.delete('/_admin/stats', async (_req, reply) => {
    state.resetStats();
    return sendJson(reply, state.stats);
  });
  app.post('/_admin/clear', async (_req, reply) => {
    state.clear();
    return sendJson(reply, { cassettes: [], faults: state.faults });
  });
}
