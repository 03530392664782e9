import { tmpdir } from 'node:os';
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig, type Config } from '../config.js';
import { closeHttpClient } from './support/http-client.js';
import { startLocalServer, type LocalServer } from './support/local-server.test-support.js';
import type { SecurityEvent, ToolContext } from './support/types.js';
import { webSearchTool } from './web-search.js';

type Mode = 'ok' | 'fail' | 'empty' | 'garbage';
const modes: Record<string, Mode> = { cse: 'ok', serper: 'ok', ollama: 'ok' };
let server: LocalServer;
const configs: Config[] = [];

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

const many = (n: number, f: (i: number) => Record<string, string>) => Array.from({ length: n }, (_, i) => f(i));

beforeAll(async () => {
  server = await startLocalServer((req, res) => {
    const route = req.url.split('?')[0]?.slice(1) ?? '';
    const mode = modes[route];
    if (mode === 'fail') {
      const errors: Record<string, unknown> = {
        cse: { error: { code: 403, message: 'Daily Limit Exceeded' } },
        serper: { message: 'Unauthorized.' },
        ollama: { error: 'unauthorized' },
      };
      return json(res, route === 'cse' ? 403 : 401, errors[route]);
    }
    if (mode === 'garbage') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not json</html>');
    const n = mode === 'empty' ? 0 : 12;
    if (route === 'cse') return json(res, 200, { items: many(n, (i) => ({ title: `G${i}`, link: `https://g.example/${i}`, snippet: `google\n snippet ${i}` })) });
    if (route === 'serper') return json(res, 200, { organic: many(n, (i) => ({ title: `S${i}`, link: `https://s.example/${i}`, snippet: `serper ${i}`, position: String(i) })) });
    if (route === 'ollama') return json(res, 200, { results: many(n, (i) => ({ title: `O${i}`, url: `https://o.example/${i}`, content: `ollama ${i} `.repeat(200) })) });
    return json(res, 404, { error: 'no route' });
  });
});
afterAll(() => server.close());
afterEach(async () => {
  Object.assign(modes, { cse: 'ok', serper: 'ok', ollama: 'ok' });
  server.requests.length = 0;
  await Promise.all(configs.splice(0).map((c) => closeHttpClient(c)));
});

const keys = { GOOGLE_API_KEY: 'gkey', GOOGLE_CSE_ID: 'gcx', SERPER_API_KEY: 'skey', OLLAMA_API_KEY: 'okey' };

function context(env: Record<string, string> = keys): ToolContext & { events: SecurityEvent[] } {
  const config = loadConfig({
    WEB_ALLOW_HOSTS: `127.0.0.1:${server.port}`,
    WEB_RETRIES: '0',
    GOOGLE_CSE_BASE_URL: `${server.url}/cse`,
    SERPER_BASE_URL: `${server.url}/serper`,
    OLLAMA_SEARCH_BASE_URL: `${server.url}/ollama`,
    ...env,
  });
  configs.push(config);
  const events: SecurityEvent[] = [];
  return { workspaceRoot: tmpdir(), config, events, onSecurityEvent: (e) => events.push(e) };
}

describe('web_search', () => {
  test('Google CSE first: request shape and normalised results', async () => {
    const result = await webSearchTool.run({ query: 'node lts', limit: 5 }, context());
    expect(result).toMatchObject({ error: false, engine: 'google_cse', query: 'node lts', attempts: ['google_cse: ok (5 results)'] });
    const { results } = result as { results: unknown[] };
    expect(results).toHaveLength(5);
    expect(results[0]).toEqual({ title: 'G0', url: 'https://g.example/0', snippet: 'google snippet 0' });
    const sent = new URL(server.requests[0]?.url ?? '', server.url);
    expect(Object.fromEntries(sent.searchParams)).toEqual({ key: 'gkey', cx: 'gcx', q: 'node lts', num: '5', c2coff: '1', safe: 'off' });
  });

  test.each<[number | undefined, number]>([
    [undefined, 3],
    [1, 1],
    [10, 10],
    [50, 10],
  ])('limit %s → %s results', async (limit, expected) => {
    const result = (await webSearchTool.run({ query: 'q', limit }, context())) as { results: unknown[] };
    expect(result.results).toHaveLength(expected);
    expect(new URL(server.requests[0]?.url ?? '', server.url).searchParams.get('num')).toBe(String(expected));
  });

  test('first provider failing falls through to Serper (POST, X-API-KEY, {q, num})', async () => {
    modes.cse = 'fail';
    const result = await webSearchTool.run({ query: 'weather', limit: 4 }, context());
    expect(result).toMatchObject({
      error: false,
      engine: 'serper',
      attempts: ['google_cse: HTTP 403: Daily Limit Exceeded', 'serper: ok (4 results)'],
      results: expect.arrayContaining([{ title: 'S0', url: 'https://s.example/0', snippet: 'serper 0' }]),
    });
    const serper = server.requests.find((r) => r.url === '/serper');
    expect(serper).toMatchObject({ method: 'POST', headers: expect.objectContaining({ 'x-api-key': 'skey' }) });
    expect(JSON.parse(serper?.body ?? '')).toEqual({ q: 'weather', num: 4 });
  });

  test('Ollama last: Bearer key, {query, max_results}, content normalised to a capped snippet', async () => {
    modes.cse = 'garbage';
    modes.serper = 'empty';
    const result = await webSearchTool.run({ query: 'x', limit: 2 }, context());
    expect(result).toMatchObject({
      engine: 'ollama_web_search',
      attempts: ['google_cse: invalid JSON in response', 'serper: no results', 'ollama_web_search: ok (2 results)'],
    });
    const first = (result as { results: { title: string; url: string; snippet: string }[] }).results[0];
    expect(first).toMatchObject({ title: 'O0', url: 'https://o.example/0' });
    expect(first?.snippet.length).toBeLessThanOrEqual(500);
    const ollama = server.requests.find((r) => r.url === '/ollama');
    expect(ollama?.headers.authorization).toBe('Bearer okey');
    expect(JSON.parse(ollama?.body ?? '')).toEqual({ query: 'x', max_results: 2 });
  });

  test('all failing: one message naming every attempt', async () => {
    Object.assign(modes, { cse: 'fail', serper: 'fail', ollama: 'fail' });
    const result = await webSearchTool.run({ query: 'q' }, context());
    expect(result).toEqual({
      error: true,
      message: 'All providers failed. google_cse: HTTP 403: Daily Limit Exceeded | serper: HTTP 401: Unauthorized. | ollama_web_search: HTTP 401: unauthorized',
      attempts: ['google_cse: HTTP 403: Daily Limit Exceeded', 'serper: HTTP 401: Unauthorized.', 'ollama_web_search: HTTP 401: unauthorized'],
    });
  });

  test('providers without keys are skipped with a note', async () => {
    const result = await webSearchTool.run({ query: 'q' }, context({ OLLAMA_API_KEY: 'okey', GOOGLE_API_KEY: 'only-half' }));
    expect(result).toMatchObject({
      engine: 'ollama_web_search',
      attempts: [
        'google_cse: skipped (GOOGLE_API_KEY and GOOGLE_CSE_ID are not both set)',
        'serper: skipped (SERPER_API_KEY is not set)',
        'ollama_web_search: ok (3 results)',
      ],
    });
    expect(server.requests.map((r) => r.url)).toEqual(['/ollama']);
  });

  test('no keys at all: every provider skipped, nothing contacted', async () => {
    const result = await webSearchTool.run({ query: 'q' }, context({}));
    expect(result).toMatchObject({ error: true, message: expect.stringMatching(/^All providers failed\. google_cse: skipped .* \| serper: skipped .* \| ollama_web_search: skipped/) });
    expect(server.requests).toHaveLength(0);
  });

  test('disabled by DISABLE_WEB_SEARCH', async () => {
    const result = await webSearchTool.run({ query: 'q' }, context({ ...keys, DISABLE_WEB_SEARCH: 'true' }));
    expect(result).toMatchObject({ error: true, message: expect.stringContaining('disabled') });
    expect(server.requests).toHaveLength(0);
  });

  test('a provider URL refused by the SSRF guard is a failed attempt, with a security event', async () => {
    const ctx = context({ ...keys, GOOGLE_CSE_BASE_URL: 'http://169.254.169.254/search' });
    const result = await webSearchTool.run({ query: 'q' }, ctx);
    expect(result).toMatchObject({ engine: 'serper', attempts: [expect.stringMatching(/^google_cse: URL refused/), 'serper: ok (3 results)'] });
    expect(ctx.events).toEqual([expect.objectContaining({ type: 'ssrf_blocked', tool: 'web_search' })]);
    expect(JSON.stringify(result)).not.toContain('gkey');
  });

  test('schema: query required, limit a positive integer', () => {
    expect(webSearchTool.schema.safeParse({ query: '' }).success).toBe(false);
    expect(webSearchTool.schema.safeParse({ query: 'a', limit: 0 }).success).toBe(false);
    expect(webSearchTool.schema.safeParse({ query: 'a', limit: 2.5 }).success).toBe(false);
    expect(webSearchTool.schema.safeParse({ query: 'a', limit: 20 }).success).toBe(true);
    expect(webSearchTool.mutating).toBe(false);
  });
});
