import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { RegressionCase } from './dataset.js';

/** The placeholder for the fixture server's base URL in scripts, fixtures and expectations. */
export const WEB_PLACEHOLDER = '{{web}}';

export interface FixtureServer {
  /** https://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** PEM file of the test CA that signed the server's certificate (WEB_CA_FILE). */
  readonly caFile: string;
  close(): Promise<void>;
}

export function substitute<T>(value: T, base: string): T {
  return JSON.parse(JSON.stringify(value).replaceAll(WEB_PLACEHOLDER, base)) as T;
}

async function testCa(): Promise<{ ca: string; key: string; cert: string }> {
  const ca = await generate([{ name: 'commonName', value: 'LuminaMind Eval Fixture CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const leaf = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { cert: ca.cert, key: ca.private },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { ca: ca.cert, key: leaf.private, cert: leaf.cert };
}

function weatherBody(q: string, f: Record<string, unknown>): unknown {
  const { country, condition, ...current } = f;
  return { location: { name: q, country: country ?? null }, current: { ...current, condition: { text: condition ?? null }, last_updated: '2024-06-01 12:00' } };
}

/**
 * One HTTPS server on 127.0.0.1 for a whole run: the pages, search answers (Serper shape, POST /search) and
 * weather answers (WeatherAPI shape, GET /weather/current.json) of every case, signed by a fresh test CA so
 * TLS verification stays on. The agent reaches it only through WEB_ALLOW_HOSTS set for the eval run.
 *
 * @example
 *   const web = await startFixtureServer(cases); // web.url = 'https://127.0.0.1:41235'
 */
export async function startFixtureServer(cases: readonly RegressionCase[]): Promise<FixtureServer> {
  const pages = new Map<string, string>();
  const search = new Map<string, unknown[]>();
  const weather = new Map<string, Record<string, unknown>>();
  for (const c of cases) {
    for (const [path, body] of Object.entries(c.fixtures.pages)) pages.set(path, body);
    for (const [q, results] of Object.entries(c.fixtures.search)) search.set(q.toLowerCase(), results);
    for (const [q, w] of Object.entries(c.fixtures.weather)) weather.set(q.toLowerCase(), w);
  }
  const { ca, key, cert } = await testCa();
  const dir = await mkdtemp(join(tmpdir(), 'lm-eval-ca-'));
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, ca);
  let base = '';
  const send = (res: ServerResponse, status: number, type: string, body: string): void => {
    res.writeHead(status, { 'content-type': type });
    res.end(body.replaceAll(WEB_PLACEHOLDER, base));
  };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', base);
      if (req.method === 'POST' && url.pathname === '/search') {
        let q = '';
        try {
          q = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { q?: unknown }).q ?? '');
        } catch {
          return send(res, 400, 'application/json', '{"message":"bad JSON"}');
        }
        const results = (search.get(q.toLowerCase()) ?? []) as { title: string; url: string; snippet: string }[];
        return send(res, 200, 'application/json', JSON.stringify({ organic: results.map((r) => ({ title: r.title, link: r.url, snippet: r.snippet })) }));
      }
      if (url.pathname === '/weather/current.json') {
        const q = url.searchParams.get('q') ?? '';
        const w = weather.get(q.toLowerCase());
        if (!w) return send(res, 400, 'application/json', JSON.stringify({ error: { code: 1006, message: 'No matching location found.' } }));
        return send(res, 200, 'application/json', JSON.stringify(weatherBody(q, w)));
      }
      const page = pages.get(url.pathname);
      if (page === undefined) return send(res, 404, 'text/plain', 'not found');
      return send(res, 200, page.trimStart().startsWith('<') ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8', page);
    });
  };
  const server = createServer({ key, cert }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  base = `https://127.0.0.1:${port}`;
  return {
    url: base,
    port,
    caFile,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
