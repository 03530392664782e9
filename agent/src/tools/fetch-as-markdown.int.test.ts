import { tmpdir } from 'node:os';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig, type Config } from '../config.js';
import { fetchAsMarkdownTool, htmlToMarkdown } from './fetch-as-markdown.js';
import { closeHttpClient } from './support/http-client.js';
import { startLocalServer, type LocalServer } from './support/local-server.test-support.js';
import type { SecurityEvent, ToolContext } from './support/types.js';

const PAGE = `<!doctype html>
<html><head><title>Fixture</title><style>body { color: red }</style><script>var leaked = "SCRIPT-TEXT";</script></head>
<body>
  <h1>Release notes</h1>
  <p>Read the <a href="/docs/guide">guide</a> or <a href="https://other.example/x">elsewhere</a>.</p>
  <h2>Changes</h2>
  <ul><li>faster</li><li>safer</li></ul>
  <ol><li>first</li><li>second</li></ol>
  <pre><code class="language-ts">const x: number = 1;</code></pre>
  <script>document.write("INLINE-SCRIPT")</script>
  <noscript>NOSCRIPT-TEXT</noscript>
</body></html>`;

const routes: Record<string, { type?: string; body: string | Buffer; status?: number }> = {
  '/page': { type: 'text/html; charset=utf-8', body: PAGE },
  '/plain': { type: 'text/plain', body: 'just text\nline 2' },
  '/json': { type: 'application/json', body: '{"a":1}' },
  '/image': { type: 'image/png', body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0]) },
  '/untyped-html': { body: '<html><body><h3>No type</h3></body></html>' },
  '/untyped-binary': { body: Buffer.from([1, 0, 2, 0]) },
  '/missing': { type: 'text/html', body: 'gone', status: 404 },
  '/big': { type: 'text/html', body: `<p>${'word '.repeat(2000)}</p>` },
};

let server: LocalServer;
const configs: Config[] = [];
beforeAll(async () => {
  server = await startLocalServer((req, res) => {
    if (req.url === '/moved') return res.writeHead(301, { location: '/page' }).end();
    const r = routes[req.url];
    if (!r) return res.writeHead(404).end();
    res.writeHead(r.status ?? 200, r.type ? { 'content-type': r.type } : {}).end(r.body);
  });
});
afterAll(() => server.close());
afterEach(async () => {
  await Promise.all(configs.splice(0).map((c) => closeHttpClient(c)));
});

function context(env: Record<string, string> = {}): ToolContext & { events: SecurityEvent[] } {
  const config = loadConfig({ WEB_ALLOW_HOSTS: `127.0.0.1:${server.port}`, WEB_RETRIES: '0', ...env });
  configs.push(config);
  const events: SecurityEvent[] = [];
  return { workspaceRoot: tmpdir(), config, events, onSecurityEvent: (e) => events.push(e) };
}

describe('fetch_as_markdown', () => {
  test('HTML becomes markdown: ATX headings, absolute links, lists, fenced code; scripts and styles stripped', async () => {
    const md = await fetchAsMarkdownTool.run({ url: `${server.url}/page` }, context());
    expect(typeof md).toBe('string');
    expect(md).toContain('# Release notes');
    expect(md).toContain('## Changes');
    expect(md).toContain(`[guide](${server.url}/docs/guide)`);
    expect(md).toContain('[elsewhere](https://other.example/x)');
    expect(md).toMatch(/^- +faster$/m);
    expect(md).toMatch(/^1\. +first$/m);
    expect(md).toContain('```ts\nconst x: number = 1;\n```');
    for (const leaked of ['SCRIPT-TEXT', 'INLINE-SCRIPT', 'NOSCRIPT-TEXT', 'color: red']) expect(md).not.toContain(leaked);
  });

  test('follows redirects and resolves links against the final URL', async () => {
    const md = await fetchAsMarkdownTool.run({ url: `${server.url}/moved` }, context());
    expect(md).toContain(`[guide](${server.url}/docs/guide)`);
  });

  test.each([
    ['/plain', 'just text\nline 2'],
    ['/json', '{"a":1}'],
  ])('%s is returned as text', async (path, expected) => {
    await expect(fetchAsMarkdownTool.run({ url: `${server.url}${path}` }, context())).resolves.toBe(expected);
  });

  test('HTML without a content type is sniffed', async () => {
    await expect(fetchAsMarkdownTool.run({ url: `${server.url}/untyped-html` }, context())).resolves.toBe('### No type');
  });

  test.each(['/image', '/untyped-binary'])('%s: binary content is refused', async (path) => {
    const result = await fetchAsMarkdownTool.run({ url: `${server.url}${path}` }, context());
    expect(result).toMatchObject({ error: true, message: expect.stringMatching(/^Error fetching .*: unsupported content type/) });
  });

  test('HTTP errors are reported', async () => {
    const url = `${server.url}/missing`;
    await expect(fetchAsMarkdownTool.run({ url }, context())).resolves.toEqual({ error: true, message: `Error fetching ${url}: HTTP 404`, code: 'AGT_ERR_HTTP_REQUEST_FAILED' });
  });

  test('long pages are cut at TOOL_OUTPUT_MAX_BYTES', async () => {
    const md = (await fetchAsMarkdownTool.run({ url: `${server.url}/big` }, context({ TOOL_OUTPUT_MAX_BYTES: '1024' }))) as string;
    expect(md).toContain('[TRUNCATED: showing the first 1024 of');
    expect(Buffer.byteLength(md)).toBeLessThan(1200);
  });

  test.each([
    'file:///etc/passwd',
    'http://169.254.169.254/latest/meta-data/',
    'http://localhost/',
    'http://[::ffff:127.0.0.1]/',
    'gopher://example.com/',
  ])('refuses %s with a recognisable error and a security event', async (url) => {
    const ctx = context({ WEB_ALLOW_HOSTS: '' });
    const result = await fetchAsMarkdownTool.run({ url }, ctx);
    expect(result).toMatchObject({ error: true, code: 'AGT_ERR_URL_REFUSED', message: expect.stringMatching(/^Error fetching .*: URL refused: /) });
    expect(ctx.events[0]).toMatchObject({ type: 'ssrf_blocked', tool: 'fetch_as_markdown' });
  });

  test('a loopback server that is not allow-listed is never contacted', async () => {
    const before = server.connections;
    const result = await fetchAsMarkdownTool.run({ url: `${server.url}/page` }, context({ WEB_ALLOW_HOSTS: '' }));
    expect(result).toMatchObject({ error: true, code: 'AGT_ERR_URL_REFUSED' });
    expect(server.connections).toBe(before);
  });

  test('a malformed URL is an error result', async () => {
    await expect(fetchAsMarkdownTool.run({ url: 'not a url' }, context())).resolves.toMatchObject({ error: true, message: expect.stringContaining('Error fetching not a url') });
  });

  test('htmlToMarkdown keeps relative links when there is no base', async () => {
    expect(await htmlToMarkdown('<a href="/a">x</a><a href="/empty"> </a>')).toBe('[x](/a)');
  });
});
