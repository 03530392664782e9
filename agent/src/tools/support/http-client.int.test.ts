import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { buildConnector } from 'undici';
import { loadConfig } from '../../config.js';
import { closeHttpClient, createHttpClient, getHttpClient, httpRequest, USER_AGENT, type HttpClient } from './http-client.js';
import { startLocalServer, type LocalServer } from './local-server.test-support.js';
import type { Resolver } from './ssrf-guard.js';
import type { SecurityEvent, ToolContext } from './types.js';

const servers: LocalServer[] = [];
const clients: HttpClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(...args: Parameters<typeof startLocalServer>): Promise<LocalServer> {
  const s = await startLocalServer(...args);
  servers.push(s);
  return s;
}

function client(env: Record<string, string>, deps: Parameters<typeof createHttpClient>[1] = {}): HttpClient {
  const c = createHttpClient(loadConfig(env), { retryBaseMs: 5, ...deps });
  clients.push(c);
  return c;
}

function events(): { list: SecurityEvent[]; on: (e: SecurityEvent) => void } {
  const list: SecurityEvent[] = [];
  return { list, on: (e) => list.push(e) };
}

describe('client path with a stubbed connector (nothing is dialled)', () => {
  const zone: Record<string, string[]> = {
    'internal.example': ['10.1.2.3'],
    'rebind.example': ['93.184.216.34', '169.254.169.254'],
    'public.example': ['93.184.216.34'],
  };
  const resolve: Resolver = async (h) => (zone[h] ?? []).map((address) => ({ address, family: 4 as const }));

  function stub(): buildConnector.connector & { calls: buildConnector.Options[] } {
    const calls: buildConnector.Options[] = [];
    const fn = ((opts: buildConnector.Options, cb: buildConnector.Callback) => {
      calls.push(opts);
      cb(new Error('stub connector: no real sockets in this test'), null);
    }) as buildConnector.connector & { calls: buildConnector.Options[] };
    fn.calls = calls;
    return fn;
  }

  test.each([
    'http://internal.example/',
    'http://rebind.example/',
    'http://127.0.0.1/',
    'http://[::ffff:10.0.0.1]/',
    'http://169.254.169.254/latest/meta-data',
    'http://metadata.google.internal/',
    'http://2130706433/',
    'gopher://public.example/',
    'http://user:pass@public.example/',
  ])('%s is refused and the connector is never called', async (url) => {
    const connector = stub();
    const seen = events();
    const c = client({ WEB_RETRIES: '2' }, { resolve, connector });
    const err = await c.request(url, { onSecurityEvent: seen.on, tool: 'fetch_as_markdown' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'AGT_ERR_URL_REFUSED' });
    expect(connector.calls).toEqual([]);
    expect(seen.list).toEqual([{ type: 'ssrf_blocked', tool: 'fetch_as_markdown', detail: expect.objectContaining({ reason: expect.any(String) }) }]);
  });

  test('each answer is dialled in turn when the previous one refuses the connection', async () => {
    const calls: string[] = [];
    const connector: buildConnector.connector = (opts, cb) => {
      calls.push(opts.hostname);
      cb(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }), null);
    };
    const c = client({ WEB_RETRIES: '0' }, { resolve: async () => [{ address: '93.184.216.34', family: 4 }, { address: '93.184.216.35', family: 4 }], connector });
    await expect(c.request('http://two.example/')).rejects.toMatchObject({ message: expect.stringContaining('ECONNREFUSED') });
    expect(calls).toEqual(['93.184.216.34', '93.184.216.35']);
  });

  test('DNS rebinding: every new connection re-resolves and re-checks; a private answer is never dialled', async () => {
    const answers = ['93.184.216.34', '127.0.0.1'];
    const connector = stub();
    const c = client({ WEB_RETRIES: '0' }, { resolve: async () => [{ address: answers.shift() ?? '127.0.0.1', family: 4 }], connector });
    await expect(c.request('http://rebinding.example/')).rejects.toMatchObject({ code: 'AGT_ERR_HTTP_REQUEST_FAILED' });
    await expect(c.request('http://rebinding.example/')).rejects.toMatchObject({ code: 'AGT_ERR_URL_REFUSED' });
    expect(connector.calls.map((o) => o.hostname)).toEqual(['93.184.216.34']);
  });

  test('a public name is dialled at the checked address, keeping the name for SNI', async () => {
    const connector = stub();
    const c = client({ WEB_RETRIES: '0' }, { resolve, connector });
    await expect(c.request('https://public.example/x')).rejects.toMatchObject({ code: 'AGT_ERR_HTTP_REQUEST_FAILED' });
    expect(connector.calls).toHaveLength(1);
    expect(connector.calls[0]).toMatchObject({ hostname: '93.184.216.34', host: 'public.example', protocol: 'https:' });
  });
});

describe('live on 127.0.0.1', () => {
  test('not allow-listed: refused before connecting', async () => {
    const s = await serve((_req, res) => res.end('secret'));
    const seen = events();
    const c = client({});
    await expect(c.request(`${s.url}/`, { onSecurityEvent: seen.on })).rejects.toMatchObject({ code: 'AGT_ERR_URL_REFUSED' });
    expect(s.connections).toBe(0);
    expect(seen.list[0]?.type).toBe('ssrf_blocked');
  });

  test('allow-listed host:port: the request works, with our User-Agent', async () => {
    const s = await serve((req, res) => res.end(`hello ${req.url}`));
    const c = client({ WEB_ALLOW_HOSTS: `127.0.0.1:${s.port}` });
    const res = await c.request(`${s.url}/page?x=1`, { accept: 'text/plain' });
    expect(res).toMatchObject({ status: 200, text: 'hello /page?x=1', url: `${s.url}/page?x=1`, redirects: 0, attempts: 1 });
    expect(s.requests[0]?.headers['user-agent']).toBe(USER_AGENT);
    expect(USER_AGENT).toMatch(/^luminamind\/\d+\.\d+\.\d+/);
    expect(s.requests[0]?.headers.accept).toBe('text/plain');
  });

  test('POST with JSON, and the response charset is honoured', async () => {
    const s = await serve((req, res) => {
      res.setHeader('content-type', 'text/plain; charset=iso-8859-1');
      res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    });
    const c = client({ WEB_ALLOW_HOSTS: `127.0.0.1:${s.port}` });
    const res = await c.request(`${s.url}/api`, { method: 'POST', json: { q: 'x' } });
    expect(res.text).toBe('café');
    expect(s.requests[0]).toMatchObject({ method: 'POST', body: '{"q":"x"}', headers: expect.objectContaining({ 'content-type': 'application/json' }) });
  });

  describe('TLS', () => {
    let ca: { cert: string; key: string };
    let signed: { cert: string; key: string };
    let selfSigned: { cert: string; key: string };
    let caFile: string;
    beforeAll(async () => {
      const caPems = await generate([{ name: 'commonName', value: 'LuminaMind Test CA' }], {
        keyType: 'ec',
        algorithm: 'sha256',
        extensions: [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
        ],
      });
      ca = { cert: caPems.cert, key: caPems.private };
      const leafExtensions = [
        { name: 'basicConstraints' as const, cA: false },
        { name: 'keyUsage' as const, digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage' as const, serverAuth: true },
        { name: 'subjectAltName' as const, altNames: [{ type: 7 as const, ip: '127.0.0.1' }, { type: 2 as const, value: 'fixtures.test' }] },
      ];
      const leaf = await generate([{ name: 'commonName', value: '127.0.0.1' }], { keyType: 'ec', algorithm: 'sha256', ca, extensions: leafExtensions });
      signed = { cert: leaf.cert, key: leaf.private };
      const own = await generate([{ name: 'commonName', value: '127.0.0.1' }], { keyType: 'ec', algorithm: 'sha256', extensions: leafExtensions });
      selfSigned = { cert: own.cert, key: own.private };
      caFile = join(mkdtempSync(join(tmpdir(), 'lm-ca-')), 'ca.pem');
      writeFileSync(caFile, ca.cert);
    });

    test('a certificate from the configured CA (WEB_CA_FILE) verifies', async () => {
      const s = await serve((_req, res) => res.end('over tls'), signed);
      const c = client({ WEB_ALLOW_HOSTS: `127.0.0.1:${s.port}`, WEB_CA_FILE: caFile });
      await expect(c.request(`${s.url}/`)).resolves.toMatchObject({ status: 200, text: 'over tls' });
    });

    test('a self-signed certificate not from the CA fails verification: error + tls_error, no retry', async () => {
      const s = await serve((_req, res) => res.end('should not be read'), selfSigned);
      const seen = events();
      const c = client({ WEB_ALLOW_HOSTS: `127.0.0.1:${s.port}`, WEB_CA_FILE: caFile, WEB_RETRIES: '3' });
      const err = await c.request(`${s.url}/`, { onSecurityEvent: seen.on, tool: 'fetch_as_markdown' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'AGT_ERR_HTTP_REQUEST_FAILED', message: expect.stringContaining('TLS verification failed') });
      expect(seen.list).toEqual([{ type: 'tls_error', tool: 'fetch_as_markdown', detail: expect.objectContaining({ code: expect.stringMatching(/SELF_SIGNED/) }) }]);
      expect(s.requests).toHaveLength(0);
      expect(s.connections).toBe(1);
    });

    test('without WEB_CA_FILE the test CA is not trusted', async () => {
      const s = await serve((_req, res) => res.end('x'), signed);
      const seen = events();
      const c = client({ WEB_ALLOW_HOSTS: `127.0.0.1:${s.port}`, WEB_RETRIES: '0' });
      await expect(c.request(`${s.url}/`, { onSecurityEvent: seen.on })).rejects.toMatchObject({ message: expect.stringContaining('TLS verification failed') });
      expect(seen.list[0]?.type).toBe('tls_error');
    });

    test('a name is dialled at its checked address while the certificate is verified against the name', async () => {
      const s = await serve((req, res) => res.end(`host=${req.headers.host}`), signed);
      const resolve: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
      const env = { WEB_ALLOW_HOSTS: `fixtures.test:${s.port},other.test:${s.port}`, WEB_CA_FILE: caFile, WEB_RETRIES: '0' };
      const c = client(env, { resolve });
      await expect(c.request(`https://fixtures.test:${s.port}/`)).resolves.toMatchObject({ status: 200, text: `host=fixtures.test:${s.port}` });
      const seen = events();
      await expect(c.request(`https://other.test:${s.port}/`, { onSecurityEvent: seen.on })).rejects.toMatchObject({
        message: expect.stringContaining('ERR_TLS_CERT_ALTNAME_INVALID'),
      });
      expect(seen.list[0]?.type).toBe('tls_error');
    });

    test('an unreadable WEB_CA_FILE is a configuration error', () => {
      expect(() => createHttpClient(loadConfig({ WEB_CA_FILE: '/nonexistent/ca.pem' }))).toThrow(/WEB_CA_FILE/);
    });
  });

  describe('redirects', () => {
    test('followed, with the final URL reported', async () => {
      const s = await serve((req, res) => {
        if (req.url === '/a') res.writeHead(302, { location: '/b' }).end();
        else res.end(`at ${req.url}`);
      });
      const c = client({ WEB_ALLOW_HOSTS: `127.0.0.1:${s.port}` });
      await expect(c.request(`${s.url}/a`)).resolves.toMatchObject({ status: 200, text: 'at /b', url: `${s.url}/b`, redirects: 1 });
    });

    test('a hop to a non-allowed internal address is refused and the target sees nothing', async () => {
      const target = await serve((_req, res) => res.end('internal secret'));
      const s = await serve((_req, res) => res.writeHead(301, { location: `${target.url}/admin` }).end());
      const seen = events();
      const c = client({ WEB_ALLOW_HOSTS: `127.0.0.1:${s.port}` });
      await expect(c.request(`${s.url}/`, { onSecurityEvent: seen.on })).rejects.toMatchObject({ code: 'AGT_ERR_URL_REFUSED' });
      expect(target.connections).toBe(0);
      expect(seen.list[0]).toMatchObject({ type: 'ssrf_blocked' });
    });

    test.each(['http://169.254.169.254/latest/meta-data/', 'file:///etc/passwd', 'http://[::1]/', 'http://localhost/'])('a hop to %s is refused', async (location) => {
      const s = await serve((_req, res) => res.writeHead(302, { location }).end());
      const c = client({ WEB_ALLOW_HOSTS: `127.0.0.1:${s.port}` });
      await expect(c.request(`${s.url}/`)).rejects.toMatchObject({ code: 'AGT_ERR_URL_REFUSED' });
    });

    test('the redirect limit is enforced', async () => {
      const s = await serve((req, res) => res.writeHead(302, { location: `/r${req.url.length}` }).end());
      const c = client({ WEB_ALLOW_HOSTS: `127.0.0.1:${s.port}`, WEB_MAX_REDIRECTS: '3' });
      await expect(c.request(`${s.url}/`)).rejects.toMatchObject({ code: 'AGT_ERR_HTTP_REQUEST_FAILED', message: expect.stringContaining('Too many redirects') });
      expect(s.requests).toHaveLength(4);
    });

    test('303 turns POST into GET; credentials do not follow to another origin', async () => {
      const b = await serve((_req, res) => res.end('b'));
      const a = await serve((_req, res) => res.writeHead(303, { location: `${b.url}/landing` }).end());
      const c = client({ WEB_ALLOW_HOSTS: `127.0.0.1:${a.port},127.0.0.1:${b.port}` });
      const res = await c.request(`${a.url}/submit`, { method: 'POST', json: { x: 1 }, headers: { 'X-API-KEY': 'k', Authorization: 'Bearer t' } });
      expect(res).toMatchObject({ status: 200, text: 'b', redirects: 1 });
      expect(a.requests[0]?.headers['x-api-key']).toBe('k');
      expect(b.requests[0]).toMatchObject({ method: 'GET', body: '' });
      expect(b.requests[0]?.headers['x-api-key']).toBeUndefined();
      expect(b.requests[0]?.headers.authorization).toBeUndefined();
    });
  });

  describe('retries', () => {
    test('503, 503, then 200: three attempts reach the server', async () => {
      let n = 0;
      const s = await serve((_req, res) => (++n < 3 ? res.writeHead(503).end('busy') : res.end('finally')));
      const c = client({ WEB_ALLOW_HOSTS: `127.0.0.1:${s.port}`, WEB_RETRIES: '3' });
      await expect(c.request(`${s.url}/`)).resolves.toMatchObject({ status: 200, text: 'finally', attempts: 3 });
      expect(s.requests).toHaveLength(3);
    });

    test('gives up after WEB_RETRIES and returns the last status', async () => {
      const s = await serve((_req, res) => res.writeHead(502).end('bad gateway'));
      const c = client({ WEB_ALLOW_HOSTS: `127.0.0.1:${s.port}`, WEB_RETRIES: '2' });
      await expect(c.request(`${s.url}/`)).resolves.toMatchObject({ status: 502, attempts: 3 });
      expect(s.requests).toHaveLength(3);
    });

    test('Retry-After is honoured, capped', async () => {
      let n = 0;
      const s = await serve((_req, res) => (++n === 1 ? res.writeHead(429, { 'retry-after': '1' }).end() : res.end('ok')));
      const c = client({ WEB_ALLOW_HOSTS: `127.0.0.1:${s.port}` }, { maxRetryAfterMs: 200 });
      const started = Date.now();
      await expect(c.request(`${s.url}/`)).resolves.toMatchObject({ status: 200 });
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(150);
      expect(waited).toBeLessThan(900);
    });

    test('4xx other than 429 is not retried', async () => {
      const s = await serve((_req, res) => res.writeHead(404).end('nope'));
      const c = client({ WEB_ALLOW_HOSTS: `127.0.0.1:${s.port}` });
      await expect(c.request(`${s.url}/`)).resolves.toMatchObject({ status: 404, text: 'nope', attempts: 1 });
    });

    test('connection refused is retried, then reported', async () => {
      const s = await serve((_req, res) => res.end());
      const port = s.port;
      await s.close();
      servers.splice(servers.indexOf(s), 1);
      let resolves = 0;
      const c = client({ WEB_ALLOW_HOSTS: `127.0.0.1:${port}`, WEB_RETRIES: '2' }, { resolve: async () => (resolves++, []) });
      await expect(c.request(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: 'AGT_ERR_HTTP_REQUEST_FAILED', message: expect.stringContaining('ECONNREFUSED') });
      expect(resolves).toBe(0);
    });
  });

  describe('limits', () => {
    test('a streamed body past WEB_MAX_BYTES is aborted', async () => {
      const s = await serve((_req, res) => {
        res.write('x'.repeat(4096));
        res.end('y'.repeat(4096));
      });
      const c = client({ WEB_ALLOW_HOSTS: `127.0.0.1:${s.port}`, WEB_MAX_BYTES: '5000' });
      await expect(c.request(`${s.url}/`)).rejects.toMatchObject({ code: 'AGT_ERR_HTTP_REQUEST_FAILED', message: expect.stringContaining('too large') });
    });

    test('a declared Content-Length past the cap is refused without reading', async () => {
      const s = await serve((_req, res) => res.writeHead(200, { 'content-length': '100000' }).end('z'.repeat(100_000)));
      const c = client({ WEB_ALLOW_HOSTS: `127.0.0.1:${s.port}`, WEB_MAX_BYTES: '2048' });
      await expect(c.request(`${s.url}/`)).rejects.toMatchObject({ message: expect.stringContaining('100000 bytes') });
    });

    test('a per-call maxBytes can only lower the cap', async () => {
      const s = await serve((_req, res) => res.end('a'.repeat(3000)));
      const c = client({ WEB_ALLOW_HOSTS: `127.0.0.1:${s.port}`, WEB_MAX_BYTES: '2048' });
      await expect(c.request(`${s.url}/`, { maxBytes: 10_000 })).rejects.toMatchObject({ message: expect.stringContaining('too large') });
      await expect(c.request(`${s.url}/`, { maxBytes: 100 })).rejects.toMatchObject({ message: expect.stringContaining('too large') });
    });

    test('a server that never answers times out (not retried)', async () => {
      const s = await serve(() => undefined);
      const c = client({ WEB_ALLOW_HOSTS: `127.0.0.1:${s.port}`, WEB_TIMEOUT_MS: '300', WEB_RETRIES: '3' });
      const started = Date.now();
      await expect(c.request(`${s.url}/`)).rejects.toMatchObject({ code: 'AGT_ERR_HTTP_REQUEST_FAILED', message: expect.stringContaining('timed out after 300 ms') });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(s.requests).toHaveLength(1);
    });

    test("the caller's abort signal stops the request", async () => {
      const s = await serve(() => undefined);
      const c = client({ WEB_ALLOW_HOSTS: `127.0.0.1:${s.port}` });
      await expect(c.request(`${s.url}/`, { signal: AbortSignal.timeout(100) })).rejects.toMatchObject({ code: 'AGT_ERR_HTTP_REQUEST_FAILED' });
    });
  });

  test('one client per Config object; httpRequest uses it with the context hooks', async () => {
    const s = await serve((_req, res) => res.end('shared'));
    const config = loadConfig({ WEB_ALLOW_HOSTS: `127.0.0.1:${s.port}` });
    expect(getHttpClient(config)).toBe(getHttpClient(config));
    expect(getHttpClient(config)).not.toBe(getHttpClient(loadConfig({})));
    const seen = events();
    const ctx: ToolContext = { workspaceRoot: tmpdir(), config, onSecurityEvent: seen.on };
    await expect(httpRequest(ctx, `${s.url}/`)).resolves.toMatchObject({ text: 'shared' });
    await expect(httpRequest(ctx, 'http://10.0.0.1/', { tool: 'web_search' })).rejects.toMatchObject({ code: 'AGT_ERR_URL_REFUSED' });
    expect(seen.list).toEqual([expect.objectContaining({ type: 'ssrf_blocked', tool: 'web_search' })]);
    await closeHttpClient(config);
    expect(getHttpClient(config)).not.toBe(undefined);
    await closeHttpClient(config);
  });
});
