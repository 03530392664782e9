import { z } from 'zod';
import type { Config } from '../config.js';
import { httpRequest, responseErrorMessage, type HttpResponse } from './support/http-client.js';
import { defineTool, toolError, type ToolContext } from './support/types.js';

export type SearchEngine = 'google_cse' | 'serper' | 'ollama_web_search';

export interface SearchResult {
  title: string;
  url: string;
  snippet: string;
}

const DEFAULT_LIMIT = 3;
const MAX_LIMIT = 10;
const SNIPPET_MAX_CHARS = 500;

interface Provider {
  engine: SearchEngine;
  /** Why the provider cannot run (missing key), or undefined when it can. */
  missing(config: Config): string | undefined;
  search(ctx: ToolContext, query: string, limit: number): Promise<SearchResult[]>;
}

class ProviderError extends Error {}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function normalise(items: unknown, pick: (item: Record<string, unknown>) => SearchResult): SearchResult[] {
  if (!Array.isArray(items)) return [];
  return items
    .filter((i): i is Record<string, unknown> => typeof i === 'object' && i !== null)
    .map(pick)
    .filter((r) => r.url !== '')
    .map((r) => ({ ...r, snippet: r.snippet.replace(/\s+/g, ' ').trim().slice(0, SNIPPET_MAX_CHARS) }));
}

function parseJson(res: HttpResponse): Record<string, unknown> {
  if (res.status < 200 || res.status >= 300) throw new ProviderError(`HTTP ${res.status}: ${responseErrorMessage(res)}`);
  try {
    return JSON.parse(res.text) as Record<string, unknown>;
  } catch {
    throw new ProviderError('invalid JSON in response');
  }
}

const providers: Provider[] = [
  {
    engine: 'google_cse',
    missing: (c) => (c.web.search.google.apiKey && c.web.search.google.cseId ? undefined : 'GOOGLE_API_KEY and GOOGLE_CSE_ID are not both set'),
    async search(ctx, query, limit) {
      const g = ctx.config.web.search.google;
      const url = new URL(g.baseUrl);
      // num follows the requested limit (CSE allows 1..10); the original's min(limit, 3) silently ignored limits above 3.
      const params = { key: g.apiKey ?? '', cx: g.cseId ?? '', q: query, num: String(Math.min(limit, MAX_LIMIT)), c2coff: '1', safe: 'off' };
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      const body = parseJson(await httpRequest(ctx, url, { accept: 'application/json', tool: 'web_search' }));
      return normalise(body.items, (i) => ({ title: text(i.title), url: text(i.link), snippet: text(i.snippet) }));
    },
  },
  {
    engine: 'serper',
    missing: (c) => (c.web.search.serper.apiKey ? undefined : 'SERPER_API_KEY is not set'),
    async search(ctx, query, limit) {
      const s = ctx.config.web.search.serper;
      const res = await httpRequest(ctx, s.baseUrl, {
        method: 'POST',
        headers: { 'X-API-KEY': s.apiKey ?? '' },
        json: { q: query, num: limit },
        accept: 'application/json',
        tool: 'web_search',
      });
      return normalise(parseJson(res).organic, (i) => ({ title: text(i.title), url: text(i.link), snippet: text(i.snippet) }));
    },
  },
  {
    engine: 'ollama_web_search',
    missing: (c) => (c.web.search.ollama.apiKey ? undefined : 'OLLAMA_API_KEY is not set'),
    async search(ctx, query, limit) {
      const o = ctx.config.web.search.ollama;
      const res = await httpRequest(ctx, o.baseUrl, {
        method: 'POST',
        headers: { Authorization: `Bearer ${o.apiKey ?? ''}` },
        json: { query, max_results: limit },
        accept: 'application/json',
        tool: 'web_search',
      });
      // Normalised like the others (the original passed Ollama's {title, url, content} through as is).
      return normalise(parseJson(res).results, (i) => ({ title: text(i.title), url: text(i.url), snippet: text(i.content) || text(i.snippet) }));
    },
  },
];

export const webSearchTool = defineTool({
  name: 'web_search',
  description:
    'Search the web. Tries Google Custom Search, then Serper, then Ollama web search, and returns the first provider that answers, as results of {title, url, snippet}.',
  schema: z
    .object({
      query: z.string().trim().min(1).max(2000).describe('What to search for.'),
      limit: z.number().int().min(1).optional().describe(`How many results to return (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT}).`),
    })
    .strict(),
  mutating: false,
  async run({ query, limit }, ctx) {
    if (ctx.config.web.searchDisabled) return toolError('Web search is disabled (DISABLE_WEB_SEARCH is set).');
    const n = Math.min(limit ?? DEFAULT_LIMIT, MAX_LIMIT);
    const attempts: string[] = [];
    for (const provider of providers) {
      const missing = provider.missing(ctx.config);
      if (missing) {
        attempts.push(`${provider.engine}: skipped (${missing})`);
        continue;
      }
      try {
        const results = (await provider.search(ctx, query, n)).slice(0, n);
        // An empty answer falls through too: the next provider may well find something.
        if (results.length === 0) {
          attempts.push(`${provider.engine}: no results`);
          continue;
        }
        attempts.push(`${provider.engine}: ok (${results.length} results)`);
        return { error: false, engine: provider.engine, query, attempts, results };
      } catch (err) {
        attempts.push(`${provider.engine}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return toolError(`All providers failed. ${attempts.join(' | ')}`, undefined, { attempts });
  },
});
