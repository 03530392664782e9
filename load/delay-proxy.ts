import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DelayProxy {
  url: string;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP_BY_HOP.has(k)));
}

/**
 * A test-only slowdown for `load --slow-candidate`: a loopback HTTP proxy that answers each request `factor` × its own
 * upstream time later (0.3 = +30 % latency), so one side of a paired run is really slower while its code and the
 * simulator stay shared. It buffers each response (a streamed answer arrives at once, at the delayed end).
 *
 * @example
 *   const proxy = await startDelayProxy(service.url, 0.3); // send load to proxy.url
 */
export async function startDelayProxy(upstream: string, factor: number): Promise<DelayProxy> {
  const target = new URL(upstream);
  const server = createServer((req, res) => {
    const started = performance.now();
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      const out = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: endToEnd(req.headers) }, (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const payload = Buffer.concat(chunks);
          void sleep((performance.now() - started) * factor).then(() => {
            res.writeHead(up.statusCode ?? 502, { ...endToEnd(up.headers), 'content-length': String(payload.length) });
            res.end(payload);
          });
        });
        up.on('error', () => res.destroy());
      });
      // An unreachable service must show as a failed request, as it would without the proxy.
      out.on('error', () => res.destroy());
      out.end(Buffer.concat(body));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
